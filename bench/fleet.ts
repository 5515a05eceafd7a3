// npm run bench:fleet — two real server nodes on one PostgreSQL database and a pool of simulated
// agents (the real agent's modules, many per worker process) split between them. For each fleet
// size (BENCH_AGENTS, default "1000,10000") it measures: dispatch latency (task created -> agent
// has the command) median/p99, server CPU and RSS while idle and during the fan-out, and the
// time to retrieve a 4 KiB file (distinct content per agent) from every agent.
//
// Knobs: BENCH_AGENTS, BENCH_WORKERS (2), BENCH_IDLE_SECONDS (20), BENCH_POOL_MAX (10),
// BENCH_STATE_DIR (agent credentials; default: a temp dir removed afterwards),
// BENCH_SERVER_NODE_ARGS (extra node flags for both nodes, e.g. "--cpu-prof --cpu-prof-dir=DIR"),
// BENCH_DISPATCH_ONLY=1 (stop after the dispatch measurement: no cancel, no retrieval).
// Needs PostgreSQL: QUARRY_TEST_DATABASE_URL, else scripts/test-services starts one.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { makeApiKey, procUsage, runCli, startServer, tempDir, waitFor, type ServerProc } from '../e2e/support/processes.js';
import type { FromWorker, SimAgentSpec, ToWorker } from './fleet/ipc.js';

const FD_LIMIT = 200_000;
// Every simulated agent holds a WebSocket and HTTP sockets, and each node one per agent: raise the
// open-file limit for this process and everything it starts, by re-executing under `ulimit -n`.
if (process.env.BENCH_FLEET_ULIMIT !== '1') {
  const r = spawnSync('bash', ['-c', `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_FLEET_ULIMIT: '1' },
  });
  process.exit(r.status ?? 1);
}

const SIZES = (process.env.BENCH_AGENTS ?? '1000,10000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0).sort((a, b) => a - b);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 20);
const POOL_MAX = process.env.BENCH_POOL_MAX ?? '10';
const FILE_BYTES = 4096;
const WORKER = new URL('./fleet/sim-worker.ts', import.meta.url).pathname;
const TERMINAL = ['succeeded', 'partially_succeeded', 'failed', 'cancelled', 'expired'];

interface Worker {
  child: ChildProcess;
  connected: number;
  endpoints: Array<[number, string]>;
  endpointsDone: boolean;
}

const receipts = new Map<number, Map<number, number>>();
const log = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}
const cpu = (nodes: ServerProc[]): number[] => nodes.map((n) => procUsage(n.child.pid!).cpuSeconds);
const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function api<T>(node: ServerProc, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${node.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${node.adminKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : null,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

function startWorkers(specs: SimAgentSpec[], token: string): Worker[] {
  const workers: Worker[] = [];
  for (let w = 0; w < WORKERS; w++) {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const worker: Worker = { child, connected: 0, endpoints: [], endpointsDone: false };
    child.on('message', (m: FromWorker) => {
      if (m.type === 'connected') worker.connected = m.count;
      else if (m.type === 'endpoints') {
        worker.endpoints = m.items;
        worker.endpointsDone = true;
      } else if (m.type === 'received') {
        for (const [taskId, index, at] of m.items) {
          let perTask = receipts.get(taskId);
          if (!perTask) receipts.set(taskId, (perTask = new Map()));
          if (!perTask.has(index)) perTask.set(index, at);
        }
      } else if (m.type === 'error') log(`worker ${w} failed: ${m.message}`);
    });
    const mine = specs.filter((_, i) => i % WORKERS === w);
    child.send({ type: 'start', agents: mine, enrollToken: token, enrollConcurrency: 25 } satisfies ToWorker);
    workers.push(worker);
  }
  return workers;
}

async function stopWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          const t = setTimeout(() => w.child.kill('SIGKILL'), 30_000);
          w.child.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          w.child.send({ type: 'stop' } satisfies ToWorker);
        }),
    ),
  );
}

const broadcast = (workers: Worker[], m: ToWorker): void => workers.forEach((w) => w.child.send(m));

interface Row {
  agents: number;
  connectSeconds: number;
  idleCpu: number[];
  idleRss: number[];
  dispatchMedian: number;
  dispatchP99: number;
  dispatchMax: number;
  fanoutCpu: number[];
  fanoutSeconds: number;
  fanoutRss: number[];
  retrievalSeconds: number;
  retrievalStatus: string;
  retrievalDispatchP99: number;
  retrievalCpu: number[];
}

async function runSize(n: number, nodes: [ServerProc, ServerProc], token: string, stateRoot: string, filesRoot: string): Promise<Row> {
  const [a, b] = nodes;
  const specs: SimAgentSpec[] = Array.from({ length: n }, (_, index) => ({
    index,
    stateDir: join(stateRoot, String(index)),
    servers: index % 2 === 0 ? [a.url, b.url] : [b.url, a.url],
    fileDir: join(filesRoot, String(index)),
  }));
  log(`${n} agents: enrolling (if needed) and connecting`);
  const t0 = Date.now();
  const workers = startWorkers(specs, token);
  try {
    await waitFor(() => workers.every((w) => w.endpointsDone) && workers.reduce((s, w) => s + w.connected, 0) >= n, 900_000, `${n} agents connected`);
    const connectSeconds = (Date.now() - t0) / 1000;
    const endpointIds = workers.flatMap((w) => w.endpoints).sort((x, y) => x[0] - y[0]).map(([, id]) => id);
    log(`${n} agents connected in ${connectSeconds.toFixed(1)} s; settling`);
    await new Promise((r) => setTimeout(r, 5000));

    const idle0 = cpu(nodes);
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const idleCpu = cpu(nodes).map((c, i) => (c - idle0[i]!) / IDLE_SECONDS);
    const idleRss = nodes.map((node) => rssBytes(node.child.pid!));
    log(`idle: CPU ${idleCpu.map(pct).join(' / ')} of one core, RSS ${idleRss.map(mib).join(' / ')}`);

    // Dispatch only: agents note the command's arrival and drop it.
    broadcast(workers, { type: 'mode', mode: 'record' });
    const f0 = cpu(nodes);
    const fStart = Date.now();
    const task = await api<{ id: number; createdAt: string }>(b, 'POST', '/api/v1/retrievals', { endpoints: endpointIds, paths: ['/bench/file.bin'] });
    const postMs = Date.now() - fStart;
    await waitFor(() => (receipts.get(task.id)?.size ?? 0) >= n, 600_000, `${n} commands received`).catch((err) => log(String(err)));
    const fanoutSeconds = (Date.now() - fStart) / 1000;
    const fanoutCpu = cpu(nodes).map((c, i) => (c - f0[i]!) / fanoutSeconds);
    const fanoutRss = nodes.map((node) => procUsage(node.child.pid!).peakRssBytes);
    const created = Date.parse(task.createdAt);
    log(`POST answered after ${postMs} ms; createdAt is ${created - fStart} ms after sending (latencies count from createdAt)`);
    const lat = [...(receipts.get(task.id)?.values() ?? [])].map((t) => t - created).sort((x, y) => x - y);
    log(`dispatch: ${lat.length}/${n} received, median ${quantile(lat, 0.5)} ms, p99 ${quantile(lat, 0.99)} ms, max ${lat.at(-1)} ms (fan-out ${fanoutSeconds.toFixed(1)} s, CPU ${fanoutCpu.map(pct).join(' / ')})`);
    const c0 = Date.now();
    if (process.env.BENCH_DISPATCH_ONLY === '1') {
      return {
        agents: n, connectSeconds, idleCpu, idleRss,
        dispatchMedian: quantile(lat, 0.5), dispatchP99: quantile(lat, 0.99), dispatchMax: lat.at(-1) ?? NaN,
        fanoutCpu, fanoutSeconds, fanoutRss,
        retrievalSeconds: NaN, retrievalStatus: 'skipped', retrievalDispatchP99: NaN, retrievalCpu: [NaN, NaN],
      };
    }
    await api(a, 'POST', `/api/v1/retrievals/${task.id}/cancel`, {});
    log(`cancel answered in ${Date.now() - c0} ms`);
    await waitFor(async () => TERMINAL.includes((await api<{ status: string }>(a, 'GET', `/api/v1/retrievals/${task.id}?limit=1`)).status), 300_000, 'cancel');

    // Retrieval: every agent sends its own 4 KiB file.
    broadcast(workers, { type: 'mode', mode: 'run' });
    const r0 = cpu(nodes);
    const rStart = Date.now();
    const rt = await api<{ id: number; createdAt: string }>(a, 'POST', '/api/v1/retrievals', { endpoints: endpointIds, paths: ['/bench/file.bin'] });
    const done = await waitFor(
      async () => {
        const t = await api<{ status: string; counts: Record<string, number> }>(b, 'GET', `/api/v1/retrievals/${rt.id}?limit=1`);
        return TERMINAL.includes(t.status) ? t : null;
      },
      900_000,
      'retrieval from every agent',
    );
    const rEnd = Date.now();
    const retrievalSeconds = (rEnd - Date.parse(rt.createdAt)) / 1000;
    const retrievalCpu = cpu(nodes).map((c, i) => (c - r0[i]!) / ((rEnd - rStart) / 1000));
    const rLat = [...(receipts.get(rt.id)?.values() ?? [])].map((t) => t - Date.parse(rt.createdAt)).sort((x, y) => x - y);
    log(`retrieval: ${done.status} in ${retrievalSeconds.toFixed(1)} s ${JSON.stringify(done.counts)}; dispatch p99 under load ${quantile(rLat, 0.99)} ms`);
    return {
      agents: n, connectSeconds, idleCpu, idleRss,
      dispatchMedian: quantile(lat, 0.5), dispatchP99: quantile(lat, 0.99), dispatchMax: lat.at(-1) ?? NaN,
      fanoutCpu, fanoutSeconds, fanoutRss,
      retrievalSeconds, retrievalStatus: `${done.status} ${JSON.stringify(done.counts)}`, retrievalDispatchP99: quantile(rLat, 0.99), retrievalCpu,
    };
  } finally {
    await stopWorkers(workers);
  }
}

async function main(): Promise<void> {
  let services: { stop(): Promise<void> } | undefined;
  let baseUrl = process.env.QUARRY_TEST_DATABASE_URL?.trim();
  if (!baseUrl) {
    const { startTestServices } = await import('../scripts/test-services/index.mjs');
    const s = await startTestServices({ want: ['postgres'] });
    services = s;
    baseUrl = s.env.QUARRY_TEST_DATABASE_URL;
    if (!baseUrl) throw new Error(`PostgreSQL is needed: ${s.missing.join('; ')}`);
  }
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  const dbName = `quarry_bench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${dbName}`);
  const dbUrl = new URL(baseUrl);
  dbUrl.pathname = `/${dbName}`;
  const tmp = await tempDir('bench-fleet');
  log(`work dir ${tmp.dir}`);
  const stateRoot = process.env.BENCH_STATE_DIR ?? join(tmp.dir, 'agents');
  const nodes: ServerProc[] = [];
  try {
    const dataDir = join(tmp.dir, 'shared-data');
    // Both nodes share one data dir: its master key and blob folder stand in for a shared secret and S3.
    const env = { QUARRY_DATABASE_URL: dbUrl.toString(), QUARRY_LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? 'warn', QUARRY_DATABASE_POOL_MAX: POOL_MAX, QUARRY_MASTER_KEY: randomBytes(32).toString('base64') };
    const migrated = await runCli(['server', 'migrate', `--data-dir=${dataDir}`], env);
    if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
    const adminKey = makeApiKey();
    const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter((a) => a.length > 0) ?? [];
    for (const name of ['A', 'B']) nodes.push(await startServer({ dataDir, adminKey, env, logFile: join(tmp.dir, `node-${name}.log`), nodeArgs }));
    const max = SIZES.at(-1)!;
    const { token } = await api<{ token: string }>(nodes[0]!, 'POST', '/api/v1/enroll-tokens', { maxUses: max, description: 'bench fleet' });
    const filesRoot = join(tmp.dir, 'files');
    for (let i = 0; i < max; i++) {
      await mkdir(join(filesRoot, String(i)), { recursive: true });
      await writeFile(join(filesRoot, String(i), 'file.bin'), randomBytes(FILE_BYTES));
    }
    log(`nodes ${nodes.map((n) => n.url).join(', ')} on ${dbName}; ${WORKERS} worker processes`);
    const rows: Row[] = [];
    for (const n of SIZES) rows.push(await runSize(n, [nodes[0]!, nodes[1]!], token, stateRoot, filesRoot));

    console.log('\nfleet benchmark (2 nodes on PostgreSQL; per-node figures are node A / node B)');
    for (const r of rows) {
      console.log(`\n${r.agents} agents (connected in ${r.connectSeconds.toFixed(1)} s)`);
      console.log(`  dispatch latency      median ${r.dispatchMedian} ms, p99 ${r.dispatchP99} ms, max ${r.dispatchMax} ms   (target p99 < 2000 ms at 10,000)`);
      console.log(`  idle server           CPU ${r.idleCpu.map(pct).join(' / ')} of one core, RSS ${r.idleRss.map(mib).join(' / ')}   (target < ${pct((r.agents / 2 / 2500) * 0.1)} per node)`);
      console.log(`  fan-out (${r.fanoutSeconds.toFixed(1)} s)      CPU ${r.fanoutCpu.map(pct).join(' / ')}, peak RSS ${r.fanoutRss.map(mib).join(' / ')}`);
      console.log(`  4 KiB from every agent ${r.retrievalSeconds.toFixed(1)} s, ${r.retrievalStatus}; dispatch p99 under load ${r.retrievalDispatchP99} ms; CPU ${r.retrievalCpu.map(pct).join(' / ')}   (target < 60 s at 10,000)`);
    }
  } finally {
    await Promise.all(nodes.map((n) => n.kill()));
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
    if (process.env.BENCH_KEEP !== '1') await tmp.cleanup();
    await services?.stop();
  }
}

await main();
