// npm run bench:transfer — retrieves a random file (1 GiB by default, BENCH_SIZE_MIB to change)
// end to end on loopback with a real server and a real agent process, and prints each figure
// beside the limit measured in the same run. Not part of the test suite.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { writeRandomFile } from '../e2e/support/files.js';
import { procUsage, startAgent, startServer, tempDir, waitFor } from '../e2e/support/processes.js';

const MiB = 1024 * 1024;
const sizeMiB = Number(process.env.BENCH_SIZE_MIB ?? 1024);
// BENCH_PROFILE_DIR=dir: the server and the agent write V8 CPU profiles there when they stop.
const profileDir = process.env.BENCH_PROFILE_DIR;
// BENCH_SETTLE_SECONDS=n: wait n seconds once the agent is online, as a long-running server has
// (V8 shrinks a young generation grown during start-up only after some idle time).
const settleSeconds = Number(process.env.BENCH_SETTLE_SECONDS ?? 0);
// Monotonic microseconds, the clock V8 stamps profile samples with, so a profile can be cut by phase.
const phases: Record<string, [number, number]> = {};
const mark = (): number => Number(process.hrtime.bigint() / 1000n);
// BENCH_SERVER_NODE_ARGS / BENCH_AGENT_NODE_ARGS: extra node options to try (e.g. --trace-gc).
const nodeArgs = (name: 'server' | 'agent'): string[] => [
  ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : []),
  ...(process.env[`BENCH_${name.toUpperCase()}_NODE_ARGS`] ?? '').split(' ').filter(Boolean),
];

async function hashRate(path: string, bytes: number): Promise<number> {
  const md5 = createHash('md5');
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  const t0 = performance.now();
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) {
    md5.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
    sha256.update(chunk as Buffer);
  }
  md5.digest();
  sha1.digest();
  sha256.digest();
  return bytes / MiB / ((performance.now() - t0) / 1000);
}

async function api<T>(url: string, key: string, method: string, body?: unknown): Promise<T> {
  const r = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Downloads `url` with curl, as a user would, into /dev/null: a C client leaves this 2-core machine's
 * other core to the server, where an in-process fetch() spent about as much CPU as the server did.
 */
async function timeDownload(url: string): Promise<{ mibps: number; bytes: number }> {
  const child = spawn('curl', ['-sS', '--fail', '-o', '/dev/null', '-w', '%{size_download} %{time_total}', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
  if (code !== 0) throw new Error(`curl exited ${code}: ${err.trim()}`);
  const [bytes, seconds] = out.trim().split(' ').map(Number) as [number, number];
  return { mibps: bytes / MiB / seconds, bytes };
}

/** Samples a process's resident memory every 100 ms and keeps the highest value per phase. */
function sampleRss(pid: number): { phase(name: string): void; stop(): void; summary(): string } {
  const max: Record<string, number> = { upload: 0 };
  let current = 'upload';
  const timer = setInterval(() => {
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    max[current] = Math.max(max[current] ?? 0, kb * 1024);
  }, 100);
  return {
    phase: (name) => (current = name),
    stop: () => clearInterval(timer),
    summary: () => Object.values(max).map((b) => (b / MiB).toFixed(0)).join('/') + ' MiB',
  };
}

function row(label: string, value: string, limit: string, ratio: string): void {
  console.log(`${label.padEnd(34)} ${value.padStart(14)} ${limit.padStart(16)} ${ratio.padStart(8)}`);
}

async function main(): Promise<void> {
  const tmp = await tempDir('bench');
  try {
    const file = join(tmp.dir, 'payload.bin');
    const bytes = sizeMiB * MiB;
    console.log(`generating ${sizeMiB} MiB of random data in ${file}`);
    await writeRandomFile(file, bytes);
    const limit = await hashRate(file, bytes);

    const dataDir = join(tmp.dir, 'server');
    await mkdir(dataDir);
    // BENCH_SERVER_LOG=file: keep the server's output (e.g. --trace-gc lines) after the run;
    // BENCH_LOG_LEVEL=info puts a line per request in it (each chunk PUT, with its duration).
    const logFile = process.env.BENCH_SERVER_LOG;
    const server = await startServer({ dataDir, env: { QUARRY_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' }, nodeArgs: nodeArgs('server'), ...(logFile ? { logFile } : {}) });
    const token = await api<{ token: string }>(`${server.url}/api/v1/enroll-tokens`, server.adminKey, 'POST', { maxUses: 1 });
    const agent = await startAgent({ serverUrl: server.url, stateDir: join(tmp.dir, 'agent'), enrollToken: token.token, nodeArgs: nodeArgs('agent') });
    try {
      await waitFor(async () => (await api<{ items: unknown[] }>(`${server.url}/api/v1/endpoints?online=true`, server.adminKey, 'GET')).items.length === 1, 30_000, 'agent online');
      if (settleSeconds > 0) await new Promise((r) => setTimeout(r, settleSeconds * 1000));
      const rss = sampleRss(server.child.pid!);
      const before = { s: procUsage(server.child.pid!), a: procUsage(agent.child.pid!) };
      const t0 = performance.now();
      const u0 = mark();
      const task = await api<{ id: number }>(`${server.url}/api/v1/retrievals`, server.adminKey, 'POST', { endpoints: [(await api<{ items: { id: string }[] }>(`${server.url}/api/v1/endpoints`, server.adminKey, 'GET')).items[0]!.id], paths: [file] });
      const done = await waitFor(async () => {
        const t = await api<{ status: string; subtasks: { items: { files: { fileId: number | null }[] }[] } }>(`${server.url}/api/v1/retrievals/${task.id}`, server.adminKey, 'GET');
        if (['failed', 'cancelled', 'expired', 'partially_succeeded'].includes(t.status)) throw new Error(`retrieval ended ${t.status}`);
        return t.status === 'succeeded' ? t : null;
      }, 600_000, 'retrieval');
      const seconds = (performance.now() - t0) / 1000;
      phases.upload = [u0, mark()];
      rss.phase('raw');
      const after = { s: procUsage(server.child.pid!), a: procUsage(agent.child.pid!) };
      const e2e = sizeMiB / seconds;
      const fileId = done.subtasks.items[0]!.files[0]!.fileId!;

      const raw = await api<{ url: string }>(`${server.url}/api/v1/files/${fileId}/links`, server.adminKey, 'POST', { format: 'raw' });
      const r0 = mark();
      const rawDl = await timeDownload(raw.url);
      phases.raw = [r0, mark()];
      rss.phase('zip');
      if (rawDl.bytes !== bytes) throw new Error(`raw download gave ${rawDl.bytes} of ${bytes} bytes`);
      const zip = await api<{ url: string }>(`${server.url}/api/v1/files/${fileId}/links`, server.adminKey, 'POST', { format: 'zip' });
      const z0 = mark();
      const zipDl = await timeDownload(zip.url);
      phases.zip = [z0, mark()];
      rss.stop();
      if (zipDl.bytes <= bytes) throw new Error(`zip download gave only ${zipDl.bytes} bytes`);
      if (profileDir) await writeFile(join(profileDir, 'phases.json'), JSON.stringify(phases));
      const finalServer = procUsage(server.child.pid!);

      console.log('');
      row('figure', 'value', 'limit', 'ratio');
      row('single-pass md5+sha1+sha256 (limit)', `${limit.toFixed(0)} MiB/s`, '', '');
      row('end-to-end retrieval', `${e2e.toFixed(0)} MiB/s`, `${limit.toFixed(0)} MiB/s`, (e2e / limit).toFixed(2));
      row('  target: ratio >= 0.60', e2e / limit >= 0.6 ? 'met' : 'NOT met', '', '');
      // CPU-seconds per GiB do not depend on what else the machine is doing; MiB/s do.
      const perGiB = (cpu: number) => `${((cpu * 1024) / sizeMiB).toFixed(2)} s/GiB`;
      for (const [who, b, a] of [['server', before.s, after.s], ['agent', before.a, after.a]] as const) {
        const cpu = a.cpuSeconds - b.cpuSeconds;
        const split = `user ${(a.userSeconds - b.userSeconds).toFixed(2)} / sys ${(a.systemSeconds - b.systemSeconds).toFixed(2)}, ${((a.minorFaults - b.minorFaults) / 1000).toFixed(0)}k page faults`;
        row(`${who} CPU during retrieval`, `${cpu.toFixed(2)} s`, perGiB(cpu), '');
        row(`  ${split}`, '', '', '');
      }
      row('server peak RSS', `${(finalServer.peakRssBytes / MiB).toFixed(0)} MiB`, '150 MiB', (finalServer.peakRssBytes / MiB / 150).toFixed(2));
      row('  server RSS max: upload/raw/zip', rss.summary(), '', '');
      row('agent peak RSS', `${(after.a.peakRssBytes / MiB).toFixed(0)} MiB`, '150 MiB', (after.a.peakRssBytes / MiB / 150).toFixed(2));
      row('raw download', `${rawDl.mibps.toFixed(0)} MiB/s`, `${limit.toFixed(0)} MiB/s`, (rawDl.mibps / limit).toFixed(2));
      row('AES-256 zip download', `${zipDl.mibps.toFixed(0)} MiB/s`, '250 MiB/s', (zipDl.mibps / 250).toFixed(2));
      row('load average (1 min) at the end', loadavg()[0]!.toFixed(2), '', '');
      if (settleSeconds > 0) row(`(transfer began ${settleSeconds} s after start-up)`, '', '', '');
    } finally {
      await agent.kill();
      await server.kill();
    }
  } finally {
    await tmp.cleanup();
  }
}

await main();
