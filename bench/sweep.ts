// npm run bench:sweep — sweeps a generated tree (100,000 files by default, BENCH_FILES to change)
// with a real server and a real agent process, and prints the agent's files listed per second and
// hashed MiB/s beside `find ROOT -type f | xargs sha256sum` on the same tree in the same run.
// Not part of the test suite. BENCH_SERVER_NODE_ARGS / BENCH_AGENT_NODE_ARGS: extra node flags
// (e.g. "--cpu-prof --cpu-prof-dir=DIR").
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { SweepDetail } from '@quarry/protocol';
import { Api, TERMINAL_TASK_STATUSES } from '../e2e/support/api.js';
import { procUsage, startAgent, startServer, tempDir, waitFor } from '../e2e/support/processes.js';
import { generateSweepTree } from '../e2e/support/sweep-tree.js';

const MiB = 1024 * 1024;
const files = Number(process.env.BENCH_FILES ?? 100_000);

/** Wall time of a shell pipeline, in seconds. */
function timeShell(command: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', () => resolve((performance.now() - t0) / 1000));
  });
}

function row(label: string, value: string, baseline: string, ratio: string): void {
  console.log(`${label.padEnd(40)} ${value.padStart(14)} ${baseline.padStart(14)} ${ratio.padStart(8)}`);
}

async function main(): Promise<void> {
  const tmp = await tempDir('bench-sweep');
  try {
    console.log(`generating ${files} files…`);
    const tree = await generateSweepTree(join(tmp.dir, 'tree'), { files });
    const nodeArgs = (name: string) => process.env[name]?.split(' ').filter((a) => a.length > 0) ?? [];
    const server = await startServer({ dataDir: join(tmp.dir, 'server'), nodeArgs: nodeArgs('BENCH_SERVER_NODE_ARGS') });
    const api = new Api(server.url, server.adminKey);
    const { token } = await api.enrollToken();
    const agent = await startAgent({ serverUrl: server.url, stateDir: join(tmp.dir, 'agent'), enrollToken: token, nodeArgs: nodeArgs('BENCH_AGENT_NODE_ARGS') });
    try {
      const endpointId = (await waitFor(async () => (await api.endpoints('?online=true')).items[0], 30_000, 'agent online')).id;
      const sweep = async (body: Record<string, unknown>): Promise<{ detail: SweepDetail; wallSeconds: number }> => {
        const t0 = performance.now();
        const task = await api.ok<{ id: number }>('POST', '/api/v1/sweeps', { endpoints: [endpointId], ...body });
        const detail = await waitFor(
          async () => {
            const d = await api.ok<SweepDetail>('GET', `/api/v1/sweeps/${task.id}`);
            return TERMINAL_TASK_STATUSES.includes(d.status) ? d : null;
          },
          600_000,
          'sweep to end',
        );
        return { detail, wallSeconds: (performance.now() - t0) / 1000 };
      };

      // Warm the page cache for everyone alike, then the baseline (the same tree, the same run).
      await timeShell(`find '${tree.root}' -type f | xargs cat > /dev/null`);
      const findOnly = await timeShell(`find '${tree.root}' -type f > /dev/null`);
      const baseline = await timeShell(`find '${tree.root}' -type f | xargs sha256sum > /dev/null`);
      const baseFiles = tree.files + tree.lockedFiles;
      const baseFps = baseFiles / baseline;
      const baseMibps = tree.bytes / MiB / baseline;

      const list = await sweep({ roots: [tree.root], names: ['no-such-name-*'] });
      // Every file read and hashed (sha256, the kind searched; md5 and sha1 only for matches), few
      // results: the agent's own list-and-hash rate ("which hosts hold this file?").
      const byHash = await sweep({ roots: [tree.root], hashes: [tree.duplicate.sha256] });
      // Every file hashed and every one stored as a result: bound by the server storing elements.
      // CPU-seconds of each process over the every-file-stored sweep: a figure the machine's load barely moves.
      const cpu = () => ({ server: procUsage(server.child.pid!).cpuSeconds, agent: procUsage(agent.child.pid!).cpuSeconds });
      const cpuBefore = cpu();
      const all = await sweep({ roots: [tree.root] });
      const cpuAfter = cpu();
      const l = list.detail.subtasks.items[0]!.sweep;
      const h = byHash.detail.subtasks.items[0]!.sweep;
      const a = all.detail.subtasks.items[0]!.sweep;
      const listFps = l.filesListed / (l.durationMs / 1000);
      const hashFps = h.filesListed / (h.durationMs / 1000);
      const hashMibps = h.bytesHashed / MiB / (h.durationMs / 1000);
      const hashE2eFps = h.filesListed / byHash.wallSeconds;
      const allFps = a.filesListed / (a.durationMs / 1000);
      const allMibps = a.bytesHashed / MiB / (a.durationMs / 1000);
      const e2eFps = a.filesListed / all.wallSeconds;

      console.log(`\n${tree.files + tree.lockedFiles} files, ${(tree.bytes / MiB).toFixed(1)} MiB; baseline: find | xargs sha256sum ${baseline.toFixed(2)} s (find alone ${findOnly.toFixed(2)} s)\n`);
      row('figure', 'agent', 'baseline', 'ratio');
      row('files/s, listing only (no match)', listFps.toFixed(0), baseFps.toFixed(0), (listFps / baseFps).toFixed(2));
      row('files/s, sha256 search (every file hashed)', hashFps.toFixed(0), baseFps.toFixed(0), (hashFps / baseFps).toFixed(2));
      row('  same, hashed MiB/s', hashMibps.toFixed(1), baseMibps.toFixed(1), (hashMibps / baseMibps).toFixed(2));
      row('  same, end to end (create → results stored)', hashE2eFps.toFixed(0), baseFps.toFixed(0), (hashE2eFps / baseFps).toFixed(2));
      row('files/s, every file a result, md5+sha1+sha256 (walk)', allFps.toFixed(0), baseFps.toFixed(0), (allFps / baseFps).toFixed(2));
      row('  same, MiB/s', allMibps.toFixed(1), baseMibps.toFixed(1), (allMibps / baseMibps).toFixed(2));
      row('  same, end to end (create → all stored)', e2eFps.toFixed(0), baseFps.toFixed(0), (e2eFps / baseFps).toFixed(2));
      console.log(
        `\nagent walk: listing ${(l.durationMs / 1000).toFixed(2)} s, hash search ${(h.durationMs / 1000).toFixed(2)} s (${h.results} results), ` +
          `every file stored ${(a.durationMs / 1000).toFixed(2)} s; ` +
          `end to end ${all.wallSeconds.toFixed(2)} s for ${a.results} results (skippedUnreadable ${a.skippedUnreadable}, truncated ${a.truncated})`,
      );
      const per100k = (s: number) => ((s * 100_000) / Math.max(1, a.results)).toFixed(2);
      console.log(
        `every file stored, CPU-s per 100k results: server ${per100k(cpuAfter.server - cpuBefore.server)}, agent ${per100k(cpuAfter.agent - cpuBefore.agent)}`,
      );
    } finally {
      await agent.kill();
      await server.kill();
    }
  } finally {
    await tmp.cleanup();
  }
}

await main();
