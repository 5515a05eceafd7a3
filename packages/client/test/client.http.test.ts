// A real HTTP peer on loopback stands in for the Quarry server (not yet available to this package):
// it returns canned JSON, SSE and bytes so the client's HTTP, parsing and error paths run for real.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RetrievalEvent } from '@quarry/protocol';
import { createQuarryClient, QuarryApiError, QuarryNetworkError, type QuarryClient } from '../src/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const KEY = 'qk_0123456789abcdef.secret';
let server: Server;
let baseUrl: string;
let client: QuarryClient;
const routes = new Map<string, Handler>();
const seen: Array<{ method: string; url: string; auth: string | undefined; body: string }> = [];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

before(async () => {
  server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const handler = routes.get(`${req.method} ${path}`);
    if (handler) await handler(req, res);
    else json(res, 404, { error: { code: 'ROUTE_NOT_FOUND', message: 'no route', requestId: 'r0' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  client = createQuarryClient({ baseUrl, apiKey: KEY, userAgent: 'test-agent' });
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('JSON routes', () => {
  it('sends the bearer key, query values and JSON body', async () => {
    routes.set('POST /api/v1/retrievals', (_req, res) => json(res, 201, { id: 5, status: 'pending' }));
    seen.length = 0;

    const task = await client.createRetrieval({ endpoints: ['web-1'], paths: ['/etc/hosts'], ttlSeconds: 60 });

    assert.equal(task.id, 5);
    assert.equal(seen[0]?.auth, `Bearer ${KEY}`);
    assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), { endpoints: ['web-1'], paths: ['/etc/hosts'], ttlSeconds: 60 });
  });

  it('encodes query parameters and skips undefined ones', async () => {
    routes.set('GET /api/v1/endpoints', (_req, res) => json(res, 200, { items: [], nextCursor: null }));
    seen.length = 0;

    await client.listEndpoints({ hostname: 'a b', online: true, os: undefined });

    assert.equal(seen[0]?.url, '/api/v1/endpoints?hostname=a+b&online=true');
  });

  it('paginate() follows nextCursor across pages', async () => {
    routes.set('GET /api/v1/files', (req, res) => {
      const cursor = new URL(req.url ?? '', 'http://x').searchParams.get('cursor');
      if (!cursor) json(res, 200, { items: [{ id: 1 }, { id: 2 }], nextCursor: 'c2' });
      else if (cursor === 'c2') json(res, 200, { items: [{ id: 3 }], nextCursor: null });
      else json(res, 400, { error: { code: 'VALIDATION_FAILED', message: 'bad cursor', requestId: 'r' } });
    });

    const ids: number[] = [];
    for await (const f of client.paginate((cursor) => client.listFiles({ taskId: 9, cursor }))) ids.push(f.id);

    assert.deepEqual(ids, [1, 2, 3]);
  });

  it('turns the error envelope into QuarryApiError', async () => {
    routes.set('GET /api/v1/retrievals/77', (_req, res) =>
      json(res, 404, { error: { code: 'TASK_NOT_FOUND', message: 'task 77 not found', details: { id: 77 }, requestId: 'req-9' } }),
    );

    const err = await client.getRetrieval(77).then(
      () => null,
      (e: unknown) => e,
    );

    assert.ok(err instanceof QuarryApiError);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'TASK_NOT_FOUND');
    assert.equal(err.message, 'task 77 not found');
    assert.deepEqual(err.details, { id: 77 });
    assert.equal(err.requestId, 'req-9');
  });

  it('reports a non-envelope error body with its status', async () => {
    routes.set('GET /api/v1/me', (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain', 'x-request-id': 'hdr-1' });
      res.end('bad gateway');
    });

    await assert.rejects(client.me(), (e: unknown) => {
      assert.ok(e instanceof QuarryApiError);
      assert.equal(e.code, 'HTTP_502');
      assert.equal(e.requestId, 'hdr-1');
      assert.match(e.message, /502.*bad gateway/);
      return true;
    });
  });

  it('wraps connection failures in QuarryNetworkError naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dead = createQuarryClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: KEY });

    await assert.rejects(dead.me(), (e: unknown) => {
      assert.ok(e instanceof QuarryNetworkError);
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}/api/v1/me.*ECONNREFUSED`));
      return true;
    });
  });
});

describe('streamRetrievalEvents', () => {
  const events: RetrievalEvent[] = [
    { type: 'task', taskId: 3, status: 'running', counts: { total: 1 } as never },
    { type: 'progress', taskId: 3, subtaskId: 4, endpointId: 'e'.repeat(32), state: 'uploading', bytesDone: 10, bytesTotal: 20, failureCode: null },
    { type: 'task', taskId: 3, status: 'succeeded', counts: { total: 1 } as never },
  ];

  it('yields events as they arrive, across arbitrary chunk boundaries', async () => {
    let releaseRest!: () => void;
    const rest = new Promise<void>((resolve) => (releaseRest = resolve));
    routes.set('GET /api/v1/retrievals/3/events', async (req, res) => {
      assert.equal(req.headers.accept, 'text/event-stream');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`: hello\n\nevent: task\ndata: ${JSON.stringify(events[0])}\n\n`);
      await rest;
      // The rest goes out in 3-byte slices, splitting lines, CRLFs and JSON mid-token.
      const text = `event: progress\r\ndata: ${JSON.stringify(events[1])}\r\n\r\nevent: ignored\ndata: {}\n\nevent: task\ndata: ${JSON.stringify(events[2])}\n\n`;
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += 3) {
        res.write(bytes.subarray(i, i + 3));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });

    const got: RetrievalEvent[] = [];
    for await (const e of client.streamRetrievalEvents(3)) {
      got.push(e);
      // The first event must reach us before the server sends anything else.
      if (got.length === 1) releaseRest();
    }

    assert.deepEqual(got, events);
  });

  it('throws QuarryApiError when the stream cannot be opened', async () => {
    routes.set('GET /api/v1/retrievals/4/events', (_req, res) =>
      json(res, 403, { error: { code: 'FORBIDDEN', message: 'nope', requestId: 'r4' } }),
    );

    await assert.rejects(async () => {
      for await (const _ of client.streamRetrievalEvents(4)) assert.fail('no events expected');
    }, (e: unknown) => e instanceof QuarryApiError && e.code === 'FORBIDDEN');
  });

  it('stops reading when aborted', async () => {
    routes.set('GET /api/v1/retrievals/5/events', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: task\ndata: ${JSON.stringify(events[0])}\n\n`);
      // Never ends on its own.
    });
    const ac = new AbortController();

    await assert.rejects(async () => {
      for await (const _ of client.streamRetrievalEvents(5, { signal: ac.signal })) ac.abort();
    }, (e: unknown) => e instanceof Error && e.name === 'AbortError');
  });
});
