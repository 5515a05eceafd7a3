// Starts real Quarry server and agent processes for end-to-end tests and benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;
export const CLI_BIN = join(REPO_ROOT, 'packages/cli/bin/quarry.js');
export const AGENT_BIN = join(REPO_ROOT, 'packages/agent/bin/quarry-agent.js');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function makeApiKey(): string {
  return `qk_${randomBytes(8).toString('hex')}.${randomBytes(32).toString('base64url')}`;
}

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `quarry-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Polls `fn` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs: number, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Proc {
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  log(): string;
}

function launch(args: string[], env: Record<string, string>, logFile: string, user?: { uid: number; gid: number }, nodeArgs: string[] = []): Proc {
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...nodeArgs, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  // 'close' comes after the child's output pipes have drained; resolve only once the log file
  // holds everything the process wrote, so a test reading the log after a kill sees all of it.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      out.end(() => resolve(code));
    }),
  );
  return {
    child,
    logFile,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      return code;
    },
    log: () => readFileSync(logFile, 'utf8'),
  };
}

export interface ServerProc extends Proc {
  url: string;
  port: number;
  adminKey: string;
  dataDir: string;
}

export async function startServer(options: {
  dataDir: string;
  port?: number;
  adminKey?: string;
  localAgent?: boolean;
  env?: Record<string, string>;
  logFile?: string;
  /** Options for node itself, before the script (benchmarks pass `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}): Promise<ServerProc> {
  const port = options.port ?? (await freePort());
  const adminKey = options.adminKey ?? makeApiKey();
  await mkdir(options.dataDir, { recursive: true });
  const logFile = options.logFile ?? join(options.dataDir, `server-${Date.now()}.log`);
  const args = [CLI_BIN, 'server'];
  if (options.localAgent) args.push('--with-local-agent');
  const proc = launch(
    args,
    {
      QUARRY_PORT: String(port),
      QUARRY_HOST: '127.0.0.1',
      QUARRY_DATA_DIR: options.dataDir,
      QUARRY_ADMIN_KEY: adminKey,
      QUARRY_LOG_LEVEL: 'info',
      ...options.env,
    },
    logFile,
    undefined,
    options.nodeArgs,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`server exited early:\n${proc.log()}`);
      const r = await fetch(`${url}/healthz`).catch(() => null);
      return r?.ok;
    },
    30_000,
    'server /healthz',
  ).catch((err) => {
    void proc.kill('SIGKILL');
    throw err;
  });
  return { ...proc, url, port, adminKey, dataDir: options.dataDir };
}

export async function startAgent(options: {
  serverUrl: string;
  stateDir: string;
  enrollToken?: string;
  args?: string[];
  logFile?: string;
  /**
   * Run the agent as this (unprivileged) user, e.g. `nobody`, so permission checks apply (tests run
   * as root, which reads everything). The state directory is created and handed to that user.
   */
  user?: { uid: number; gid: number };
  /** As for startServer. */
  nodeArgs?: string[];
}): Promise<Proc> {
  await mkdir(join(options.stateDir, '..'), { recursive: true });
  if (options.user) {
    await mkdir(options.stateDir, { recursive: true });
    await chown(options.stateDir, options.user.uid, options.user.gid);
  }
  const args = [AGENT_BIN, '--server', options.serverUrl, '--state-dir', options.stateDir, ...(options.args ?? [])];
  if (options.enrollToken) args.push('--enroll-token', options.enrollToken);
  return launch(args, { QUARRY_AGENT_LOG_LEVEL: 'info' }, options.logFile ?? join(options.stateDir, '..', `agent-${Date.now()}.log`), options.user, options.nodeArgs);
}

/** Runs the `quarry` CLI to completion. */
export async function runCli(args: string[], env: Record<string, string>, cwd = REPO_ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** CPU seconds (user+system) and peak RSS of a live Linux process, read from /proc. */
export function procUsage(pid: number): { cpuSeconds: number; userSeconds: number; systemSeconds: number; minorFaults: number; peakRssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
  return { cpuSeconds: (user + system) / 100, userSeconds: user / 100, systemSeconds: system / 100, minorFaults: Number(fields[7]), peakRssBytes: Number(hwm?.[1] ?? 0) * 1024 };
}
