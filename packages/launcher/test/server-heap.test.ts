import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JavaScript launcher module without type declarations
import { MEMORY_REDUCER_FLAG, YOUNG_GENERATION_FLAG, serverHeapFlags } from '../server-heap.js';

const moduleUrl = new URL('../server-heap.js', import.meta.url).href;

/**
 * Runs a Node child that optionally tunes its heap, allocates a burst of short-lived objects (as
 * the server's start-up does), prints its young generation's size in MiB, and then idles for
 * `idleMs` with --trace-gc on, so the output shows any memory-reducer GC.
 */
function child(opts: { tune: boolean; nodeArgs?: string[]; idleMs?: number }): { output: Promise<string>; seen: (re: RegExp) => Promise<void>; kill: () => void } {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    if (${opts.tune}) (await import(${JSON.stringify(moduleUrl)})).tuneServerHeap();
    let keep = [];
    for (let i = 0; i < 400; i++) { keep.push(new Array(10000).fill({ i })); if (keep.length > 50) keep.shift(); }
    keep = keep.slice(0, 10);
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    console.log('young-generation-mib', young / 1048576);
    setTimeout(() => console.log('kept', keep.length), ${opts.idleMs ?? 0});
  `;
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--trace-gc', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d));
  const output = new Promise<string>((resolve, reject) => proc.once('error', reject).once('close', () => resolve(out)));
  /** Settles once the output matches `re`, or when the child has ended. */
  const seen = (re: RegExp): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (re.test(out)) resolve();
      };
      proc.stdout.on('data', check);
      void output.then(() => resolve());
      check();
    });
  return { output, seen, kill: () => proc.kill() };
}

const youngMiB = (out: string): number => Number(/young-generation-mib (\S+)/.exec(out)?.[1]);

describe('server heap flags', () => {
  it('are both set unless node options already configure the same thing', () => {
    assert.deepEqual(serverHeapFlags({ execArgv: [], nodeOptions: '' }), [YOUNG_GENERATION_FLAG, MEMORY_REDUCER_FLAG]);
    assert.deepEqual(serverHeapFlags({ execArgv: ['--max-semi-space-size=16'], nodeOptions: '' }), [MEMORY_REDUCER_FLAG]);
    assert.deepEqual(serverHeapFlags({ execArgv: [], nodeOptions: '--max_semi_space_size=8 --enable-source-maps' }), [MEMORY_REDUCER_FLAG]);
    assert.deepEqual(serverHeapFlags({ execArgv: ['--no-memory-reducer'], nodeOptions: '' }), [YOUNG_GENERATION_FLAG]);
    // A script argument that merely contains the words is not a node option.
    assert.deepEqual(serverHeapFlags({ execArgv: [], nodeOptions: 'semi-space' }), [YOUNG_GENERATION_FLAG, MEMORY_REDUCER_FLAG]);
  });

  it('keep the young generation at its initial size through an allocation burst', async () => {
    const [tuned, untuned, explicit] = await Promise.all([
      child({ tune: true }).output,
      child({ tune: false }).output,
      // An explicit semi-space size wins over the tuning.
      child({ tune: true, nodeArgs: ['--max-semi-space-size=8'] }).output,
    ]);
    assert.ok(youngMiB(tuned) <= 2, `tuned young generation ${youngMiB(tuned)} MiB`);
    assert.ok(youngMiB(untuned) > 2, `untuned young generation ${youngMiB(untuned)} MiB (the burst must grow it, or this test proves nothing)`);
    assert.ok(youngMiB(explicit) > 2, `young generation with --max-semi-space-size=8: ${youngMiB(explicit)} MiB`);
  });

  it("keep V8's memory reducer from running after the process goes idle", async () => {
    // The reducer starts ~8 s after the last mark-compact; the untuned child shows when it has run.
    const tuned = child({ tune: true, idleMs: 30_000 });
    const untuned = child({ tune: false, idleMs: 30_000 });
    await untuned.seen(/\(reduce\)/);
    // Started together, so the tuned child has had as long; a little more for a slow machine.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    untuned.kill();
    tuned.kill();
    const [untunedOut, tunedOut] = await Promise.all([untuned.output, tuned.output]);
    assert.match(untunedOut, /Mark-Compact \(reduce\)/, 'the untuned child ran no memory-reducer GC, so this test proves nothing');
    assert.doesNotMatch(tunedOut, /\(reduce\)/);
  });
});
