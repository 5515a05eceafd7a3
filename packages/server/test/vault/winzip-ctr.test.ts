import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CTR_BATCH_BYTES, createWinZipCtr, type WinZipCtrOptions } from '../../src/downloads/winzip-ctr.js';

/** WinZip's CTR written out block by block: block n is XORed with AES(n as a 16-byte little-endian number). */
function reference(key: Buffer, data: Buffer, firstCounter = 1): Buffer {
  const out = Buffer.alloc(data.length);
  for (let at = 0, n = BigInt(firstCounter); at < data.length; at += 16, n += 1n) {
    const counter = Buffer.alloc(16);
    counter.writeBigUInt64LE(n & 0xffffffffffffffffn, 0);
    counter.writeBigUInt64LE(n >> 64n, 8);
    const ecb = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
    const keystream = ecb.update(counter);
    for (let i = 0; i < 16 && at + i < data.length; i += 1) out[at + i] = data[at + i]! ^ keystream[i]!;
  }
  return out;
}

/** Encrypts `data` in batches of the given sizes (the last one takes the rest). */
function encrypt(key: Buffer, data: Buffer, options: WinZipCtrOptions, batches: number[]): Buffer {
  const ctr = createWinZipCtr(key, options);
  const parts: Buffer[] = [];
  let at = 0;
  for (const size of [...batches, Infinity]) {
    if (at >= data.length) break;
    const n = Math.min(size, data.length - at, CTR_BATCH_BYTES);
    data.copy(ctr.input, 0, at, at + n);
    parts.push(Buffer.from(ctr.encrypt(n)));
    at += n;
  }
  return Buffer.concat(parts);
}

describe('WinZip AES-CTR', () => {
  const key = randomBytes(32);

  for (const useWasm of [true, false]) {
    const which = useWasm ? 'WebAssembly' : 'JavaScript';

    it(`matches the block-by-block definition over whole and partial batches (${which})`, () => {
      const data = randomBytes(3 * CTR_BATCH_BYTES + 1_234);
      const batches = [CTR_BATCH_BYTES, CTR_BATCH_BYTES, CTR_BATCH_BYTES];
      assert.ok(encrypt(key, data, { useWasm }, batches).equals(reference(key, data)));
    });

    it(`carries the counter past 2^32 within a batch (${which})`, () => {
      const data = randomBytes(4_096 + 5);
      const first = 2 ** 32 - 100;
      assert.ok(encrypt(key, data, { useWasm, firstCounter: first }, [4_096]).equals(reference(key, data, first)));
    });

    it(`handles batches smaller than the buffer and an empty last batch (${which})`, () => {
      const data = randomBytes(16 * 5 + 3);
      assert.ok(encrypt(key, data, { useWasm }, [16, 32, 16]).equals(reference(key, data)));
      const ctr = createWinZipCtr(key, { useWasm });
      assert.equal(ctr.encrypt(0).length, 0);
    });
  }

  it('runs in WebAssembly by default and in JavaScript on request', () => {
    assert.equal(createWinZipCtr(key).engine, 'wasm');
    assert.equal(createWinZipCtr(key, { useWasm: false }).engine, 'js');
  });

  it('does not let one stream see another stream\'s batch', () => {
    // Each stream has its own module memory: interleaving two must give each its own result.
    const a = randomBytes(CTR_BATCH_BYTES);
    const b = randomBytes(CTR_BATCH_BYTES);
    const ca = createWinZipCtr(key);
    const cb = createWinZipCtr(key);
    a.copy(ca.input);
    b.copy(cb.input);
    const outA = Buffer.from(ca.encrypt(a.length));
    const outB = Buffer.from(cb.encrypt(b.length));
    assert.ok(outA.equals(reference(key, a)));
    assert.ok(outB.equals(reference(key, b)));
  });
});
