import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

const launcherHeap = import.meta.resolve('@quarry/launcher/server-heap');
const policy = new URL('../src/startup/young-generation-policy.ts', import.meta.url).href;

/**
 * A Node child with the young generation held as the launcher holds the server's, which watches a
 * fixed agent count, then allocates a burst. Prints its young generation's size (MiB) before and
 * after the burst.
 */
async function youngGenerationAfterBurst(agents: number): Promise<{ before: number; after: number; grew: number | null }> {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;
    // tsx first: starting its loader thread, like starting any worker, puts V8's flags back.
    (await import('tsx/esm/api')).register();
    (await import(${JSON.stringify(launcherHeap)})).tuneServerHeap({ execArgv: [], nodeOptions: '' });
    const { watchConnectedAgents } = await import(${JSON.stringify(policy)});
    let grew = null;
    watchConnectedAgents(() => ${agents}, (n) => (grew = n), { threshold: 1000, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 100));
    const before = young();
    let keep = [];
    for (let i = 0; i < 400; i++) { keep.push(new Array(10000).fill({ i })); if (keep.length > 50) keep.shift(); }
    console.log(JSON.stringify({ before, after: young(), grew, kept: keep.length }));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
  assert.equal(code, 0, out);
  return JSON.parse(out.trim().split('\n').pop()!) as { before: number; after: number; grew: number | null };
}

describe('young generation policy', () => {
  it('lets the young generation grow once many agents are connected, and only then', async () => {
    const [few, many] = await Promise.all([youngGenerationAfterBurst(10), youngGenerationAfterBurst(5000)]);
    assert.equal(few.grew, null);
    assert.equal(few.after, few.before, `with 10 agents the young generation grew from ${few.before} to ${few.after} MiB`);
    assert.equal(many.grew, 5000);
    assert.ok(many.after > many.before, `with 5,000 agents the young generation stayed at ${many.after} MiB`);
  });
});
