import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

const moduleUrl = new URL('../../src/memory/buffer-churn.ts', import.meta.url).href;
const MiB = 1024 * 1024;

/**
 * Runs a Node child that moves 512 MiB through node:crypto in 64 KiB pieces, as a transfer does
 * (each output lives until the next few are made), optionally reporting each output with
 * noteBufferChurn, and prints the most ArrayBuffer memory it held at once. It collects garbage on
 * its main thread (--single-threaded-gc): freed buffers are then counted out at once, not when a
 * busy machine gets round to sweeping them.
 */
async function peakArrayBuffers(note: boolean): Promise<number> {
  const script = `
    import { createCipheriv, randomBytes } from 'node:crypto';
    const { noteBufferChurn } = await import(${JSON.stringify(moduleUrl)});
    const ecb = createCipheriv('aes-256-ecb', randomBytes(32), null).setAutoPadding(false);
    const input = randomBytes(65536);
    const held = [];
    let peak = 0;
    for (let i = 0; i < 8192; i++) {
      const out = ecb.update(input);
      if (${note}) noteBufferChurn(out.length);
      held.push(out);
      if (held.length > 8) held.shift();
      // From 32 MiB on: the first note also allocates the (never resident) malloc primer, freed by the first collection.
      if (i >= 512 && i % 64 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }
    console.log('peak', peak);
  `;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--single-threaded-gc', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((resolve, reject) => proc.once('error', reject).once('close', resolve));
  assert.equal(code, 0, out);
  return Number(/peak (\d+)/.exec(out)?.[1]);
}

describe('buffer churn', () => {
  it('keeps the dead buffers of a transfer from piling up to V8\'s 32 MiB', async () => {
    const [noted, plain] = await Promise.all([peakArrayBuffers(true), peakArrayBuffers(false)]);
    // Measured: 12.8 against 32.0 MiB. Without noting, V8 lets 32 MiB of young buffers build up
    // before it collects: this test must see that.
    assert.ok(plain > 28 * MiB, `without noting, the child held at most ${(plain / MiB).toFixed(1)} MiB`);
    assert.ok(noted < 20 * MiB, `noting every output, the child still held ${(noted / MiB).toFixed(1)} MiB at once`);
  });
});
