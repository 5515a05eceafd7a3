import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileFailure } from './fs-failure.js';
import { PREHASH_READ_BYTES, prehashFile } from './prehash.js';
import { detectChange, expectedChunkCount, runUploadPass, type Chunk } from './upload-pass.js';

const CHUNK = 64 * 1024;
const FIXED_TIME = 1_700_000_000;
let dir: string;
const hex = (alg: string, data: Buffer) => createHash(alg).update(data).digest('hex');

function writeRandom(name: string, size: number): { file: string; data: Buffer } {
  const data = randomBytes(size);
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return { file, data };
}

/** Runs both passes over a real file with a collecting sender, as the retrieval does. */
async function upload(file: string, receivedChunks: number[] = [], chunkSize = CHUNK, offThreadMinBytes?: number) {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const pre = await prehashFile(handle);
    const sent: { index: number; data: Buffer; sha256: string }[] = [];
    let maxInFlight = 0;
    let inFlight = 0;
    const result = await runUploadPass({
      handle,
      size,
      chunkSize,
      chunkCount: expectedChunkCount(size, chunkSize),
      receivedChunks,
      ...(offThreadMinBytes === undefined ? {} : { offThreadMinBytes }),
      send: async (chunk: Chunk) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Copy: the chunk's buffer is pooled and reused once the send settles.
        sent.push({ index: chunk.index, data: Buffer.from(chunk.data), sha256: chunk.sha256 });
        await new Promise((r) => setImmediate(r));
        inFlight -= 1;
      },
    });
    return { pre, result, sent, maxInFlight };
  } finally {
    await handle.close();
  }
}

describe('prehash and upload pass over real files', () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'quarry-agent-hash-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, size] of [
    ['empty', 0],
    ['one byte', 1],
    ['exactly one chunk', CHUNK],
    ['several chunks plus a remainder', 3 * CHUNK + 12345],
    ['larger than the 1 MiB pre-pass buffer', 1024 * 1024 + 17],
  ] as const) {
    it(`hashes match node:crypto for ${name} (${size} bytes)`, async () => {
      const { file, data } = writeRandom(`${name.replace(/ /g, '-')}.bin`, size);

      const { pre, result, sent, maxInFlight } = await upload(file);

      assert.equal(pre.sha256, hex('sha256', data));
      assert.equal(pre.bytes, size);
      assert.equal(result.md5, hex('md5', data));
      assert.equal(result.sha1, hex('sha1', data));
      assert.equal(result.sha256, hex('sha256', data));
      assert.equal(sent.length, expectedChunkCount(size, CHUNK));
      assert.ok(maxInFlight <= 1);
      for (const chunk of sent) {
        const expected = data.subarray(chunk.index * CHUNK, (chunk.index + 1) * CHUNK);
        assert.ok(chunk.data.equals(expected), `chunk ${chunk.index} bytes`);
        assert.equal(chunk.sha256, hex('sha256', expected), `chunk ${chunk.index} sha256`);
      }
      assert.equal(Buffer.concat(sent.map((c) => c.data)).length, size);
      assert.equal(result.bytesSent, size);
      assert.equal(detectChange({ size, mtimeMs: result.mtimeMsAfter, sha256: pre.sha256 }, { size: result.sizeAfter, mtimeMs: result.mtimeMsAfter, sha256: result.sha256, grew: result.grew }), undefined);
    });
  }

  it('skips received chunks but still includes them in the whole-file hashes', async () => {
    const { file, data } = writeRandom('resume.bin', 4 * CHUNK + 5);

    const { result, sent } = await upload(file, [0, 2]);

    assert.deepEqual(sent.map((c) => c.index), [1, 3, 4]);
    assert.equal(result.sha256, hex('sha256', data));
    assert.equal(result.md5, hex('md5', data));
    assert.equal(result.bytesSent, 2 * CHUNK + 5);
  });

  it('gives the same hashes and chunks with the whole-file hashes on a worker thread', async () => {
    const { file, data } = writeRandom('worker.bin', 5 * CHUNK + 77);

    const { result, sent } = await upload(file, [1], CHUNK, 0);

    assert.equal(result.md5, hex('md5', data));
    assert.equal(result.sha1, hex('sha1', data));
    assert.equal(result.sha256, hex('sha256', data));
    assert.deepEqual(sent.map((c) => c.index), [0, 2, 3, 4, 5]);
    for (const chunk of sent) {
      const expected = data.subarray(chunk.index * CHUNK, (chunk.index + 1) * CHUNK);
      assert.ok(chunk.data.equals(expected), `chunk ${chunk.index} bytes`);
      assert.equal(chunk.sha256, hex('sha256', expected), `chunk ${chunk.index} sha256`);
    }
  });

  for (const [where, offThreadMinBytes] of [['this thread', undefined], ['a worker thread', 0]] as const) {
    it(`re-reads a chunk with the same bytes and hash (whole-file hashes on ${where})`, async () => {
      const { file, data } = writeRandom('reread.bin', 2 * CHUNK + 3);
      const handle = await open(file, 'r');
      const rereads: string[] = [];
      try {
        await runUploadPass({
          handle, size: data.length, chunkSize: CHUNK, chunkCount: 3, receivedChunks: [], offThreadMinBytes,
          send: async (chunk, reread) => {
            const again = await reread();
            assert.ok(again.data.equals(chunk.data));
            rereads.push(again.sha256);
          },
        });
      } finally {
        await handle.close();
      }

      assert.deepEqual(rereads, [0, 1, 2].map((i) => hex('sha256', data.subarray(i * CHUNK, (i + 1) * CHUNK))));
    });
  }

  it('hashes each chunk in the pre-pass, across read boundaries, on a worker thread', async () => {
    // Chunks of 2.5 reads: boundaries fall inside reads; sizes with and without a partial last chunk.
    const chunkSize = PREHASH_READ_BYTES * 2.5;
    for (const size of [2 * chunkSize, 2 * chunkSize + 12_345, chunkSize - 1]) {
      const { file, data } = writeRandom(`pre-${size}.bin`, size);
      const handle = await open(file, 'r');
      try {
        const pre = await prehashFile(handle, { chunkSize });

        assert.equal(pre.sha256, hex('sha256', data));
        assert.equal(pre.bytes, size);
        const expected = Array.from({ length: expectedChunkCount(size, chunkSize) }, (_, i) => hex('sha256', data.subarray(i * chunkSize, (i + 1) * chunkSize)));
        assert.deepEqual(pre.chunkSha256s, expected, `size ${size}`);
      } finally {
        await handle.close();
      }
    }
  });

  for (const [where, offThreadMinBytes] of [['this thread', undefined], ['a worker thread', 0]] as const) {
    it(`uses the pre-pass hashes: chunks sent with theirs, no second whole-file sha256 (on ${where})`, async () => {
      const { file, data } = writeRandom('known.bin', 3 * CHUNK + 5);
      const handle = await open(file, 'r');
      const sent: Array<[string, string]> = [];
      // Stand-ins the upload pass cannot have computed itself: it must use them unchanged.
      const known = { sha256: 'f'.repeat(64), chunkSha256s: ['a', 'b', 'c', 'd'].map((c) => c.repeat(64)) };
      let result;
      try {
        result = await runUploadPass({
          handle, size: data.length, chunkSize: CHUNK, chunkCount: 4, receivedChunks: [], known, offThreadMinBytes,
          send: async (chunk, reread) => {
            sent.push([chunk.sha256, (await reread()).sha256]);
          },
        });
      } finally {
        await handle.close();
      }

      assert.deepEqual(sent.map(([first]) => first), known.chunkSha256s);
      assert.deepEqual(sent.map(([, again]) => again), [0, 1, 2, 3].map((i) => hex('sha256', data.subarray(i * CHUNK, (i + 1) * CHUNK))), 're-reads hash afresh');
      assert.deepEqual([result.md5, result.sha1, result.sha256], [hex('md5', data), hex('sha1', data), known.sha256]);
    });
  }

  it('fails a chunk the server already holds that reads differently than in the pre-pass', async () => {
    const { file, data } = writeRandom('held.bin', 3 * CHUNK);
    const chunkSha256s = [0, 1, 2].map((i) => hex('sha256', data.subarray(i * CHUNK, (i + 1) * CHUNK)));
    const handle = await open(file, 'r');
    try {
      const run = (held: string) =>
        runUploadPass({
          handle, size: data.length, chunkSize: CHUNK, chunkCount: 3, receivedChunks: [1], known: { sha256: hex('sha256', data), chunkSha256s: [chunkSha256s[0]!, held, chunkSha256s[2]!] },
          send: async () => {},
        });
      await run(chunkSha256s[1]!);
      await assert.rejects(run('0'.repeat(64)), (err) => err instanceof FileFailure && err.code === 'CHANGED_WHILE_READING');
    } finally {
      await handle.close();
    }
  });

  it('rejects a chunk plan that does not fit the file size', async () => {
    const { file } = writeRandom('plan.bin', 3 * CHUNK);
    const handle = await open(file, 'r');
    try {
      await assert.rejects(
        runUploadPass({ handle, size: 3 * CHUNK, chunkSize: CHUNK, chunkCount: 2, receivedChunks: [], send: async () => {} }),
        (err) => err instanceof FileFailure && err.code === 'IO_ERROR',
      );
    } finally {
      await handle.close();
    }
  });
});

describe('change detection between passes (real files)', () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'quarry-agent-change-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Pre-pass, then `mutate`, then the upload pass; returns the change reason. */
  async function passesAround(mutate: (file: string) => void, size = 2 * CHUNK): Promise<string | undefined> {
    const { file } = writeRandom(`f-${Math.random()}.bin`, size);
    // Whole seconds survive a utimes round trip exactly, so a test can put the mtime back.
    utimesSync(file, FIXED_TIME, FIXED_TIME);
    const handle = await open(file, 'r');
    try {
      const st = await handle.stat();
      const pre = await prehashFile(handle);
      mutate(file);
      const r = await runUploadPass({
        handle, size: st.size, chunkSize: CHUNK, chunkCount: expectedChunkCount(st.size, CHUNK), receivedChunks: [], send: async () => {},
      });
      return detectChange({ size: st.size, mtimeMs: st.mtimeMs, sha256: pre.sha256 }, { size: r.sizeAfter, mtimeMs: r.mtimeMsAfter, sha256: r.sha256, grew: r.grew });
    } finally {
      await handle.close();
    }
  }

  it('reports nothing for an untouched file', async () => {
    assert.equal(await passesAround(() => {}), undefined);
  });

  it('detects same-size content changed with the mtime put back', async () => {
    const reason = await passesAround((file) => {
      writeFileSync(file, randomBytes(statSync(file).size));
      utimesSync(file, FIXED_TIME, FIXED_TIME);
    });

    assert.match(reason ?? '', /sha256 differs/);
  });

  it('detects a modification time change', async () => {
    const reason = await passesAround((file) => utimesSync(file, new Date(), new Date(Date.now() + 60_000)));

    assert.match(reason ?? '', /modification time/);
  });

  it('detects a file that grew', async () => {
    const reason = await passesAround((file) => writeFileSync(file, randomBytes(10), { flag: 'a' }));

    assert.match(reason ?? '', /size changed/);
  });

  it('fails a file that shrank with CHANGED_WHILE_READING', async () => {
    await assert.rejects(
      passesAround((file) => writeFileSync(file, randomBytes(100))),
      (err) => err instanceof FileFailure && err.code === 'CHANGED_WHILE_READING',
    );
  });
});
