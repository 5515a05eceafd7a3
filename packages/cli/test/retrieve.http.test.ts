// `quarry retrieve` against a real HTTP peer on loopback that plays the Quarry server's part with
// canned JSON, SSE and bytes (the real server is tested end to end by the e2e suite).
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CliIo } from '../src/context.js';
import { main } from '../src/main.js';

const KEY = 'qk_0123456789abcdef.secret';
const HOSTS = Buffer.from('127.0.0.1 localhost\n'.repeat(500));
const SHADOW_HASHLESS = Buffer.from('other content');
const EP1 = '1'.repeat(32);
const EP2 = '2'.repeat(32);

const hex = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');

interface Scenario {
  /** Second endpoint's outcome; null for a single-endpoint task. */
  second: 'failed' | null;
  sse: 'ok' | 'broken';
  /** Serve bytes that do not match the advertised sha256. */
  corrupt: boolean;
}

let scenario: Scenario;
let finished: boolean;
let server: Server;
let base: string;
let dir: string;
let created: unknown;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const counts = (succeeded: number, failed: number, running: number) => ({
  total: succeeded + failed + running,
  queued: 0, dispatched: 0, running, uploading: 0, succeeded, failed, timed_out: 0, cancelled: 0, expired: 0,
});

function task() {
  const n = scenario.second ? 2 : 1;
  const status = !finished ? 'running' : scenario.second ? 'partially_succeeded' : 'succeeded';
  return {
    id: 1, kind: 'retrieval', name: '', status, source: 'native', paths: ['/etc/hosts'], createdBy: 'c1',
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-02T00:00:00.000Z',
    finishedAt: finished ? '2026-01-01T00:01:00.000Z' : null, ttlSeconds: 86400, maxAttempts: 3,
    counts: finished ? counts(1, n - 1, 0) : counts(0, 0, n),
  };
}

function subtask(id: number, endpointId: string, hostname: string, ok: boolean) {
  const state = !finished ? 'running' : ok ? 'succeeded' : 'failed';
  return {
    id, taskId: 1, endpointId, hostname, state, attempt: 1, maxAttempts: 3,
    failureCode: finished && !ok ? 'SOME_FILES_FAILED' : null, failureMessage: null,
    bytesTotal: HOSTS.length, bytesDone: finished ? HOSTS.length : 0,
    createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', dispatchedAt: null, startedAt: null,
    finishedAt: null, deadlineAt: null, nextAttemptAt: null,
    files: [{
      id: id * 10, path: '/etc/hosts', state: !finished ? 'uploading' : ok ? 'succeeded' : 'failed',
      failureCode: finished && !ok ? 'PERMISSION_DENIED' : null, failureMessage: finished && !ok ? 'permission denied' : null,
      size: HOSTS.length, bytesDone: 0, fileId: finished && ok ? id * 10 : null,
    }],
  };
}

function detail() {
  const subtasks = [subtask(1, EP1, 'web-1', true)];
  if (scenario.second) subtasks.push(subtask(2, EP2, 'web-2', false));
  return { ...task(), subtasks: { items: subtasks, nextCursor: null } };
}

const retrievedFile = {
  id: 10, taskId: 1, subtaskId: 1, endpointId: EP1, hostname: 'web-1', path: '/etc/hosts', name: 'hosts', size: HOSTS.length,
  mtime: null, md5: hex('md5', HOSTS), sha1: hex('sha1', HOSTS), sha256: hex('sha256', HOSTS), retrievedAt: '2026-01-01T00:01:00.000Z',
};

before(async () => {
  server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    const url = new URL(req.url ?? '/', 'http://x');
    const route = `${req.method} ${url.pathname}`;
    if (url.pathname.startsWith('/api/') && req.headers.authorization !== `Bearer ${KEY}`) {
      return json(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'bad key', requestId: 'r' } });
    }
    switch (route) {
      case 'POST /api/v1/retrievals':
        created = JSON.parse(body);
        return json(res, 201, task());
      case 'GET /api/v1/retrievals/1':
        return json(res, 200, detail());
      case 'GET /api/v1/retrievals/1/events': {
        finished = true;
        if (scenario.sse === 'broken') return json(res, 500, { error: { code: 'INTERNAL', message: 'boom', requestId: 'r' } });
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const progress = { type: 'progress', taskId: 1, subtaskId: 1, endpointId: EP1, state: 'uploading', bytesDone: 100, bytesTotal: HOSTS.length, failureCode: null };
        res.write(`event: progress\ndata: ${JSON.stringify(progress)}\n\n`);
        res.end(`event: task\ndata: ${JSON.stringify({ type: 'task', taskId: 1, status: task().status, counts: task().counts })}\n\n`);
        return;
      }
      case 'GET /api/v1/files/10':
        return json(res, 200, retrievedFile);
      case 'GET /api/v1/files':
        return json(res, 200, { items: finished ? [retrievedFile] : [], nextCursor: null });
      case 'POST /api/v1/files/10/links': {
        const format = (JSON.parse(body) as { format?: string }).format ?? 'raw';
        return json(res, 201, {
          url: `${base}/dl/10`, path: '/dl/10', format, fileName: 'hosts', expiresAt: '2026-01-01T00:10:00.000Z',
          size: HOSTS.length, sha256: retrievedFile.sha256, ...(format === 'zip' ? { password: 'zip-pass-123' } : {}),
        });
      }
      case 'GET /dl/10': {
        const bytes = scenario.corrupt ? SHADOW_HASHLESS : HOSTS;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
        return res.end(bytes);
      }
      default:
        return json(res, 404, { error: { code: 'ROUTE_NOT_FOUND', message: route, requestId: 'r' } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(async () => {
  scenario = { second: null, sse: 'ok', corrupt: false };
  finished = false;
  created = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = await mkdtemp(join(tmpdir(), 'quarry-cli-retrieve-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runCli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { QUARRY_URL: base, QUARRY_API_KEY: KEY },
    cwd: dir,
    now: Date.now,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('quarry retrieve', () => {
  it('follows the stream, downloads, verifies and prints the hashes', async () => {
    const r = await runCli(['retrieve', '--endpoint', 'web-1', '--path', '/etc/hosts', '--ttl', '60', '--name', 'case-7']);

    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(created, { endpoints: ['web-1'], paths: ['/etc/hosts'], ttlSeconds: 60, name: 'case-7' });
    assert.ok((await readFile(join(dir, 'web-1_hosts'))).equals(HOSTS));
    assert.match(r.stdout, new RegExp(`^md5     ${retrievedFile.md5}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^sha1    ${retrievedFile.sha1}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^sha256  ${retrievedFile.sha256}$`, 'm'));
    assert.match(r.stderr, /task 1 succeeded/);
  });

  it('prints each failure with its code and exits 1 when anything failed', async () => {
    scenario.second = 'failed';

    const r = await runCli(['retrieve', '--endpoint', 'web-1', '--endpoint', 'web-2', '--path', '/etc/hosts', '--out', 'loot']);

    assert.equal(r.code, 1);
    assert.match(r.stdout, /^failed  web-2  \/etc\/hosts  PERMISSION_DENIED: permission denied$/m);
    assert.deepEqual(await readdir(join(dir, 'loot')), ['web-1_hosts']);
  });

  it('falls back to polling when the event stream fails', async () => {
    scenario.sse = 'broken';

    const r = await runCli(['retrieve', '--endpoint', 'web-1', '--path', '/etc/hosts', '--out', 'one.txt']);

    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /event stream lost.*polling/);
    assert.ok((await readFile(join(dir, 'one.txt'))).equals(HOSTS));
  });

  it('reports a sha256 mismatch as a failure and keeps no file', async () => {
    scenario.corrupt = true;

    const r = await runCli(['--json', 'retrieve', '--endpoint', 'web-1', '--path', '/etc/hosts']);

    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { ok: boolean; failures: Array<{ code: string }> };
    assert.equal(out.ok, false);
    assert.equal(out.failures[0]?.code, 'DOWNLOAD_HASH_MISMATCH');
    assert.deepEqual(await readdir(dir), []);
  });

  it('with --no-wait prints only the task id', async () => {
    const r = await runCli(['retrieve', '--endpoint', 'web-1', '--path', '/etc/hosts', '--no-wait']);

    assert.equal(r.code, 0);
    assert.equal(r.stdout, '1\n');
    assert.equal(finished, false);
  });

  it('with --zip prints the password and skips the content hash check', async () => {
    const r = await runCli(['retrieve', '--endpoint', 'web-1', '--path', '/etc/hosts', '--zip']);

    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^password  zip-pass-123$/m);
    assert.ok(existsSync(join(dir, 'web-1_hosts.zip')));
  });

  it('runs as a child process and prints a JSON result with --json', async () => {
    const bin = new URL('../bin/quarry.js', import.meta.url).pathname;

    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--json', 'retrieve', '--endpoint', 'web-1', '--path', '/etc/hosts'], {
      cwd: dir,
      env: { ...process.env, QUARRY_URL: base, QUARRY_API_KEY: KEY },
      timeout: 30_000,
    });

    const out = JSON.parse(stdout) as { ok: boolean; task: { status: string }; files: Array<{ sha256: string; savedTo: string; verified: boolean }> };
    assert.equal(out.ok, true);
    assert.equal(out.task.status, 'succeeded');
    assert.equal(out.files[0]?.sha256, retrievedFile.sha256);
    assert.equal(out.files[0]?.verified, true);
    assert.ok((await readFile(out.files[0]?.savedTo ?? '')).equals(HOSTS));
  });
});

describe('quarry files / tasks', () => {
  it('files download verifies and prints the report', async () => {
    const r = await runCli(['files', 'download', '10', '--out', 'h.txt']);

    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^sha256  ${retrievedFile.sha256}$`, 'm'));
    assert.ok((await readFile(join(dir, 'h.txt'))).equals(HOSTS));
  });

  it('tasks show prints the task, its subtasks with failures, and its files', async () => {
    finished = true;
    scenario.second = 'failed';

    const r = await runCli(['tasks', 'show', '1']);

    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^status +partially_succeeded$/m);
    assert.match(r.stdout, /^2 +web-2 +failed +1\/3 +\/etc\/hosts +failed +9\.77 KiB +PERMISSION_DENIED: permission denied$/m);
    assert.match(r.stdout, new RegExp(`^10 +web-1 +/etc/hosts +9\\.77 KiB +${retrievedFile.sha256}$`, 'm'));
  });
});
