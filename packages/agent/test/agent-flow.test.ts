import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { INLINE_CONTENT_MAX_BYTES } from '@quarry/protocol';
import { EnrollError, startAgent, type AgentOptions } from '../src/index.js';
import { OFF_THREAD_HASH_MIN_BYTES } from '../src/files/upload-pass.js';
import { json, startStubPeer, waitFor, type SeenRequest } from './stub-peer.js';

// Big enough that the test files below (three chunks and more) are over INLINE_CONTENT_MAX_BYTES.
const CHUNK = 128 * 1024;
const CREDENTIAL = `qa_${'e'.repeat(32)}.secret`;
let dir: string;

const options = (serverUrl: string, stateDir: string, extra: Partial<AgentOptions> = {}): AgentOptions => ({
  serverUrl,
  enrollToken: 'qe_0123456789abcdef.token',
  stateDir,
  allow: [],
  deny: [],
  maxSizeBytes: null,
  transport: 'auto',
  heartbeatSeconds: null,
  logLevel: 'silent',
  logger: pino({ level: 'silent' }),
  tuning: { pollWaitSeconds: 1, retry: { attempts: 3, baseMs: 5, capMs: 20 }, backoff: { baseMs: 10, capMs: 50 } },
  ...extra,
});

const command = (files: { fileOpId: number; path: string }[], subtaskId = 7) => ({
  type: 'retrieve',
  command: { subtaskId, taskId: 1, attempt: 1, chunkSize: CHUNK, deadlineAt: new Date(Date.now() + 600_000).toISOString(), files },
});

/** A poll queue: the stub hands queued messages to the next poll, else answers empty after a moment. */
function pollQueue() {
  const queue: unknown[] = [];
  return {
    push: (m: unknown) => queue.push(m),
    answer: (res: Parameters<typeof json>[0]) => {
      if (queue.length > 0) json(res, 200, { messages: queue.splice(0) });
      else setTimeout(() => json(res, 200, { messages: queue.splice(0) }), 20);
    },
  };
}

const hex = (alg: string, data: Buffer) => createHash(alg).update(data).digest('hex');
const calls = (seen: SeenRequest[], pattern: RegExp) => seen.filter((r) => pattern.test(`${r.method} ${r.url}`));

describe('agent against a scripted peer', () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'quarry-agent-flow-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('enrols, falls back to long-poll when the upgrade is refused, and uploads with chunk retries', async () => {
    const data = randomBytes(3 * CHUNK + 100);
    const file = path.join(dir, 'evidence.bin');
    writeFileSync(file, data);
    const polls = pollQueue();
    polls.push(command([{ fileOpId: 11, path: file }]));
    let chunk1Puts = 0;
    let chunk2Puts = 0;
    let completed: unknown;
    const peer = await startStubPeer((req, res) => {
      if (req.url === '/agent/v1/enroll') return json(res, 200, { endpointId: 'e'.repeat(32), credential: CREDENTIAL });
      if (req.url.startsWith('/agent/v1/poll')) return polls.answer(res);
      if (req.url === '/agent/v1/subtasks/7/started') return json(res, 200, {});
      if (req.url === '/agent/v1/file-ops/11/begin') {
        // A resume: the server holds chunk 0, so it asks for the sha256 first.
        const begun = JSON.parse(req.body.toString()) as { sha256?: string };
        if (begun.sha256 === undefined) return json(res, 200, { action: 'hash' });
        assert.equal(begun.sha256, hex('sha256', data));
        return json(res, 200, { action: 'upload', uploadId: 'u'.repeat(32), chunkSize: CHUNK, chunkCount: 4, receivedChunks: [0] });
      }
      const m = /chunks\/(\d+)$/.exec(req.url);
      if (m && m[1] === '1' && (chunk1Puts += 1) === 1) return json(res, 422, { error: { code: 'CHUNK_HASH_MISMATCH' } });
      if (m && m[1] === '2' && (chunk2Puts += 1) === 1) {
        res.writeHead(503, { 'retry-after': '0' }).end();
        return;
      }
      if (m) {
        assert.equal(req.headers['x-quarry-chunk-sha256'], hex('sha256', req.body));
        return json(res, 200, { index: Number(m[1]), duplicate: false });
      }
      if (req.url.endsWith('/complete')) {
        completed = JSON.parse(req.body.toString());
        return json(res, 200, { fileId: 11 });
      }
      return json(res, 404, { error: { code: 'ROUTE_NOT_FOUND' } });
    });
    const stateDir = path.join(dir, 'state-poll');
    const agent = await startAgent(options(peer.url, stateDir));
    try {
      await waitFor(() => completed !== undefined, 10_000, 'complete');

      assert.deepEqual(completed, { md5: hex('md5', data), sha1: hex('sha1', data), sha256: hex('sha256', data) });
      assert.equal(agent.channelState(), 'poll');
      assert.equal(agent.endpointId, 'e'.repeat(32));
      assert.equal(chunk1Puts, 2);
      assert.equal(chunk2Puts, 2);
      assert.equal(calls(peer.seen, /chunks\/0$/).length, 0, 'chunk 0 was already received');
      assert.equal(calls(peer.seen, /UPGRADE/).length, 1);
      assert.equal(peer.seen.find((r) => r.url === '/agent/v1/enroll')?.headers.authorization, undefined);
      assert.ok(peer.seen.filter((r) => r.url !== '/agent/v1/enroll').every((r) => r.headers.authorization === `Bearer ${CREDENTIAL}`));
      assert.equal(statSync(path.join(stateDir, 'agent.json')).mode & 0o777, 0o600);
    } finally {
      await agent.stop();
      await peer.close();
    }
    assert.equal(agent.channelState(), 'stopped');
  });

  it('hashes a large file while uploading it when the server agrees, and declares the hashes at complete', async () => {
    const big = 8 * 1024 * 1024;
    const data = randomBytes(OFF_THREAD_HASH_MIN_BYTES + 5);
    const file = path.join(dir, 'unique.bin');
    writeFileSync(file, data);
    const polls = pollQueue();
    const retrieve = command([{ fileOpId: 61, path: file }], 17);
    polls.push({ ...retrieve, command: { ...retrieve.command, chunkSize: big } });
    const begins: Array<{ sha256?: string; size: number }> = [];
    let received = 0;
    let completed: unknown;
    const peer = await startStubPeer((req, res) => {
      if (req.url === '/agent/v1/enroll') return json(res, 200, { endpointId: 'e'.repeat(32), credential: CREDENTIAL });
      if (req.url.startsWith('/agent/v1/poll')) return polls.answer(res);
      if (req.url.endsWith('/started')) return json(res, 200, {});
      if (req.url.endsWith('/begin')) {
        begins.push(JSON.parse(req.body.toString()) as { sha256?: string; size: number });
        return json(res, 200, { action: 'upload', uploadId: 'a'.repeat(32), chunkSize: big, chunkCount: Math.ceil(data.length / big), receivedChunks: [] });
      }
      const m = /chunks\/(\d+)$/.exec(req.url);
      if (m) {
        assert.equal(req.headers['x-quarry-chunk-sha256'], hex('sha256', req.body));
        assert.ok(req.body.equals(data.subarray(Number(m[1]) * big, (Number(m[1]) + 1) * big)));
        received += req.body.length;
        return json(res, 200, { index: Number(m[1]), duplicate: false });
      }
      if (req.url.endsWith('/complete')) {
        completed = JSON.parse(req.body.toString());
        return json(res, 200, { fileId: 61 });
      }
      return json(res, 404, { error: { code: 'ROUTE_NOT_FOUND' } });
    });
    const agent = await startAgent(options(peer.url, path.join(dir, 'state-unique'), { transport: 'poll' }));
    try {
      await waitFor(() => completed !== undefined, 30_000, 'complete');
      assert.deepEqual(begins, [{ attempt: 1, size: data.length, mtimeMs: statSync(file).mtimeMs }]);
      assert.equal(received, data.length);
      assert.deepEqual(completed, { md5: hex('md5', data), sha1: hex('sha1', data), sha256: hex('sha256', data) });
    } finally {
      await agent.stop();
      await peer.close();
    }
  });

  it('reports CHANGED_WHILE_READING when a large file changes between the pre-pass and the upload', async () => {
    // Large enough for the pre-pass to hash chunks (on a worker) for the upload pass to reuse.
    const big = 8 * 1024 * 1024;
    const size = OFF_THREAD_HASH_MIN_BYTES + 3;
    const file = path.join(dir, 'changing.bin');
    writeFileSync(file, randomBytes(size));
    const { atime, mtime } = statSync(file);
    const polls = pollQueue();
    const retrieve = command([{ fileOpId: 51, path: file }], 13);
    polls.push({ ...retrieve, command: { ...retrieve.command, chunkSize: big } });
    const chunkCount = Math.ceil(size / big);
    let failed: { code?: string } | undefined;
    let badChunks = 0;
    let refusedUnhashed = 0;
    const peer = await startStubPeer((req, res) => {
      if (req.url === '/agent/v1/enroll') return json(res, 200, { endpointId: 'e'.repeat(32), credential: CREDENTIAL });
      if (req.url.startsWith('/agent/v1/poll')) return polls.answer(res);
      if (req.url.endsWith('/started')) return json(res, 200, {});
      if (req.url.endsWith('/begin')) {
        // A server from before begin without a sha256 refuses it; the agent then hashes first.
        if ((JSON.parse(req.body.toString()) as { sha256?: string }).sha256 === undefined) {
          refusedUnhashed += 1;
          return json(res, 400, { error: { code: 'VALIDATION_FAILED', message: 'body must have required property sha256', requestId: 'r' } });
        }
        // Same size, new bytes in chunk 1, modification time put back: only the bytes tell.
        const fd = openSync(file, 'r+');
        writeSync(fd, randomBytes(4096), 0, 4096, big + 100);
        closeSync(fd);
        utimesSync(file, atime, mtime);
        return json(res, 200, { action: 'upload', uploadId: 'f'.repeat(32), chunkSize: big, chunkCount, receivedChunks: [] });
      }
      if (/chunks\/\d+$/.test(req.url)) {
        if (req.headers['x-quarry-chunk-sha256'] === hex('sha256', req.body)) return json(res, 200, { index: 0, duplicate: false });
        badChunks += 1;
        return json(res, 422, { error: { code: 'CHUNK_HASH_MISMATCH', message: 'x', requestId: 'r' } });
      }
      if (req.url.endsWith('/fail')) {
        failed = JSON.parse(req.body.toString()) as { code?: string };
        return json(res, 200, { ok: true });
      }
      return json(res, 500, {});
    });
    const agent = await startAgent(options(peer.url, path.join(dir, 'state-changing'), { transport: 'poll' }));
    try {
      await waitFor(() => failed !== undefined, 30_000, 'fail report');

      assert.equal(failed?.code, 'CHANGED_WHILE_READING');
      assert.equal(badChunks, 1, 'the chunk sent with its pre-pass hash was refused once, then the re-read told the change');
      assert.equal(refusedUnhashed, 1);
      assert.equal(calls(peer.seen, /complete$/).length, 0);
    } finally {
      await agent.stop();
      await peer.close();
    }
  });

  it('aborts an in-flight upload promptly on cancel and reports nothing more', async () => {
    const file = path.join(dir, 'big.bin');
    writeFileSync(file, randomBytes(20 * CHUNK));
    const polls = pollQueue();
    polls.push(command([{ fileOpId: 21, path: file }], 8));
    let held = false;
    const peer = await startStubPeer((req, res) => {
      if (req.url === '/agent/v1/enroll') return json(res, 200, { endpointId: 'e'.repeat(32), credential: CREDENTIAL });
      if (req.url.startsWith('/agent/v1/poll')) return polls.answer(res);
      if (req.url.endsWith('/started')) return json(res, 200, {});
      if (req.url.endsWith('/begin')) return json(res, 200, { action: 'upload', uploadId: 'c'.repeat(32), chunkSize: CHUNK, chunkCount: 20, receivedChunks: [] });
      if (/chunks\/2$/.test(req.url)) {
        // Never answer: the agent must give up on this PUT when the cancel arrives.
        held = true;
        polls.push({ type: 'cancel', subtaskId: 8, attempt: 1 });
        return;
      }
      if (/chunks\/\d+$/.test(req.url)) return json(res, 200, { index: 0, duplicate: false });
      return json(res, 500, {});
    });
    const agent = await startAgent(options(peer.url, path.join(dir, 'state-cancel'), { transport: 'poll' }));
    try {
      await waitFor(() => held, 5000, 'held chunk');
      await waitFor(() => agent.activeSubtasks() === 0, 3000, 'cancelled subtask to unwind');

      assert.equal(calls(peer.seen, /(complete|fail)$/).length, 0);
      assert.equal(calls(peer.seen, /chunks\/3$/).length, 0);
      assert.equal(calls(peer.seen, /UPGRADE/).length, 0, 'transport poll never tries the WebSocket');
    } finally {
      await agent.stop();
      await peer.close();
    }
  });

  it('sends a small file whole in one content PUT, resending once after a hash mismatch', async () => {
    const data = randomBytes(INLINE_CONTENT_MAX_BYTES);
    const empty = path.join(dir, 'empty.txt');
    const file = path.join(dir, 'inline.bin');
    writeFileSync(file, data);
    writeFileSync(empty, '');
    const polls = pollQueue();
    polls.push(command([{ fileOpId: 41, path: file }, { fileOpId: 42, path: empty }], 12));
    let puts41 = 0;
    const bodies = new Map<number, { query: URLSearchParams; body: Buffer }>();
    const peer = await startStubPeer((req, res) => {
      if (req.url === '/agent/v1/enroll') return json(res, 200, { endpointId: 'e'.repeat(32), credential: CREDENTIAL });
      if (req.url.startsWith('/agent/v1/poll')) return polls.answer(res);
      if (req.url.endsWith('/started')) return json(res, 200, {});
      const m = /^\/agent\/v1\/file-ops\/(\d+)\/content\?(.*)$/.exec(req.url);
      if (m && req.method === 'PUT') {
        const id = Number(m[1]);
        if (id === 41 && (puts41 += 1) === 1) return json(res, 422, { error: { code: 'CHUNK_HASH_MISMATCH' } });
        bodies.set(id, { query: new URLSearchParams(m[2]), body: req.body });
        return json(res, 200, { fileId: id, deduplicated: id === 42 });
      }
      return json(res, 404, { error: { code: 'ROUTE_NOT_FOUND' } });
    });
    const agent = await startAgent(options(peer.url, path.join(dir, 'state-inline'), { transport: 'poll' }));
    try {
      await waitFor(() => bodies.size === 2 && agent.activeSubtasks() === 0, 10_000, 'both files sent');

      const sent = bodies.get(41)!;
      assert.equal(puts41, 2);
      assert.ok(sent.body.equals(data));
      assert.equal(sent.query.get('attempt'), '1');
      assert.equal(sent.query.get('sha256'), hex('sha256', data));
      assert.equal(sent.query.get('sha1'), hex('sha1', data));
      assert.equal(sent.query.get('md5'), hex('md5', data));
      assert.equal(Number(sent.query.get('mtimeMs')), statSync(file).mtimeMs);
      assert.equal(bodies.get(42)!.body.length, 0);
      assert.equal(bodies.get(42)!.query.get('sha256'), hex('sha256', Buffer.alloc(0)));
      assert.equal(calls(peer.seen, /begin$|chunks|complete$/).length, 0, 'no chunked upload for small files');
      assert.equal(calls(peer.seen, /started$/).length, 0, 'the content PUT itself shows the attempt runs');
    } finally {
      await agent.stop();
      await peer.close();
    }
  });

  it('stops a subtask quietly on 409 SUBTASK_NOT_ACTIVE', async () => {
    const file = path.join(dir, 'small.bin');
    writeFileSync(file, 'hello');
    const polls = pollQueue();
    polls.push(command([{ fileOpId: 31, path: file }, { fileOpId: 32, path: file }], 9));
    const peer = await startStubPeer((req, res) => {
      if (req.url === '/agent/v1/enroll') return json(res, 200, { endpointId: 'e'.repeat(32), credential: CREDENTIAL });
      if (req.url.startsWith('/agent/v1/poll')) return polls.answer(res);
      if (req.url.endsWith('/started')) return json(res, 200, {});
      if (/\/(begin|content\?.*)$/.test(req.url)) return json(res, 409, { error: { code: 'SUBTASK_NOT_ACTIVE', message: 'x', requestId: 'r' } });
      return json(res, 500, {});
    });
    const agent = await startAgent(options(peer.url, path.join(dir, 'state-409'), { transport: 'poll' }));
    try {
      await waitFor(() => calls(peer.seen, /file-ops\/31\/content/).length === 1 && agent.activeSubtasks() === 0, 5000, 'subtask to stop');

      assert.equal(calls(peer.seen, /file-ops\/32/).length, 0, 'later files are not attempted');
      assert.equal(calls(peer.seen, /fail$/).length, 0);
    } finally {
      await agent.stop();
      await peer.close();
    }
  });

  it('rejects start with EnrollError when the token is refused, and without a token', async () => {
    const peer = await startStubPeer((_req, res) => json(res, 401, { error: { code: 'ENROLL_TOKEN_INVALID' } }));
    try {
      await assert.rejects(startAgent(options(peer.url, path.join(dir, 'state-bad'))), EnrollError);
      await assert.rejects(startAgent(options(peer.url, path.join(dir, 'state-none'), { enrollToken: undefined })), /--enroll-token/);
    } finally {
      await peer.close();
    }
  });

  it('runs as a child process through the bin and exits 0 on SIGTERM', async () => {
    const peer = await startStubPeer((req, res) => {
      if (req.url === '/agent/v1/enroll') return json(res, 200, { endpointId: 'e'.repeat(32), credential: CREDENTIAL });
      if (req.url.startsWith('/agent/v1/poll')) {
        setTimeout(() => json(res, 200, { messages: [] }), 50);
        return;
      }
      return json(res, 404, {});
    });
    const bin = path.resolve(import.meta.dirname, '../bin/quarry-agent.js');
    const logFile = path.join(dir, 'child', 'agent.log');
    const child = spawn(process.execPath, [bin, '--server', peer.url, '--enroll-token', 'qe_x.y', '--state-dir', path.join(dir, 'child'), '--transport', 'poll', '--log-file', logFile], { stdio: 'pipe' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => calls(peer.seen, /poll/).length > 0, 15_000, 'child to poll');
      child.kill('SIGTERM');

      assert.equal(await exited, 0);
      const log = readFileSync(logFile, 'utf8');
      assert.match(log, /"msg":"agent stopped"/);
      assert.ok(!log.includes(CREDENTIAL.split('.')[1]!) && !log.includes('qe_x.y'), 'log holds no credential or token');
    } finally {
      child.kill('SIGKILL');
      await peer.close();
    }
  });
});
