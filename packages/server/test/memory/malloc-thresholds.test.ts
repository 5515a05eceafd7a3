import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

const moduleUrl = new URL('../../src/memory/malloc-thresholds.ts', import.meta.url).href;

/**
 * Runs a Node child that optionally raises its malloc thresholds, then moves 1 GiB through
 * node:crypto in 64 KiB pieces, keeping the last 64 outputs alive as a server's streams do and
 * collecting the young generation every 16 MiB as a server's transfers do (buffer-churn.ts), and
 * prints the page faults that took.
 */
async function pageFaults(opts: { prime: boolean; env?: Record<string, string> }): Promise<number> {
  const script = `
    import { createCipheriv, randomBytes } from 'node:crypto';
    if (${opts.prime}) (await import(${JSON.stringify(moduleUrl)})).raiseMallocThresholds();
    const ecb = createCipheriv('aes-256-ecb', randomBytes(32), null).setAutoPadding(false);
    const input = randomBytes(65536);
    const before = process.resourceUsage().minorPageFault;
    const held = [];
    for (let i = 0; i < 16384; i++) {
      held.push(ecb.update(input));
      if (held.length > 64) held.shift();
      if (i % 256 === 0) {
        gc({ type: 'minor' });
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    console.log('faults', process.resourceUsage().minorPageFault - before);
  `;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', '--single-threaded-gc', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '', ...opts.env },
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((resolve, reject) => proc.once('error', reject).once('close', resolve));
  assert.equal(code, 0, out);
  return Number(/faults (\d+)/.exec(out)?.[1]);
}

/**
 * The most page faults of two children run at once. Where the heap's top lands is chance: now and
 * then a live buffer sits there and keeps glibc from trimming for a while, so one child may fault
 * little even without the primer. The children collect garbage on their main thread
 * (--single-threaded-gc), so that when buffers are freed does not depend on how busy the machine is.
 */
async function mostPageFaults(opts: { prime: boolean; env?: Record<string, string> }): Promise<number> {
  return Math.max(...(await Promise.all([pageFaults(opts), pageFaults(opts)])));
}

describe('malloc thresholds', { skip: process.platform !== 'linux' && 'glibc only' }, () => {
  it('stop the heap from shrinking and regrowing under a churn of 64 KiB buffers', async () => {
    const [primed, plain] = await Promise.all([mostPageFaults({ prime: true }), mostPageFaults({ prime: false })]);
    // Measured: 5-6k against 37-38k. The plain child must fault heavily, or this test proves nothing.
    assert.ok(plain > 20_000, `unprimed child faulted only ${plain} pages`);
    assert.ok(primed * 2 < plain, `primed ${primed} page faults, unprimed ${plain}`);
  });

  it('leave thresholds given in the environment alone', async () => {
    // An explicit trim threshold turns glibc's dynamic threshold off: the default-sized one stays.
    const env = { MALLOC_TRIM_THRESHOLD_: String(128 * 1024) };
    const [primed, plain] = await Promise.all([mostPageFaults({ prime: true, env }), mostPageFaults({ prime: false, env })]);
    assert.ok(primed > 20_000 && plain > 20_000, `with an explicit trim threshold: primed ${primed}, unprimed ${plain} page faults`);
  });
});
