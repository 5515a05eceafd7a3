import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { call, createHarness, type Harness } from './harness.js';

interface Msg {
  type: string;
  command?: { subtaskId: number; taskId: number; attempt: number };
  subtaskId?: number;
}

/** Collects a socket's JSON messages; `next` waits (bounded) for one matching. */
function collect(ws: WebSocket) {
  const seen: Msg[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    seen.push(JSON.parse(data.toString()) as Msg);
    for (const w of waiters.splice(0)) w();
  });
  return {
    seen,
    async next(pred: (m: Msg) => boolean, timeoutMs = 5000): Promise<Msg> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = seen.find(pred);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching message; saw ${JSON.stringify(seen)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50).unref();
        });
      }
    },
  };
}

type Inbox = ReturnType<typeof collect>;

function openWs(url: string, key: string | null): Promise<{ ws: WebSocket; inbox: Inbox } | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/agent/v1/ws`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
    // Listen before 'open': the welcome can arrive in the same packet as the upgrade response.
    const inbox = collect(ws);
    ws.once('open', () => resolve({ ws, inbox }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

describe('agent hub (WebSocket on a listening server)', () => {
  let h: Harness;
  let url: string;
  before(async () => {
    h = await createHarness({ port: 0 });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    url = h.app.publicUrl();
  });
  after(() => h.close());

  it('refuses an upgrade without a valid agent credential with a plain HTTP error', async () => {
    const none = await openWs(url, null);
    const api = await openWs(url, h.keys.admin);

    assert.ok('status' in none && none.status === 401, JSON.stringify(none));
    assert.ok('status' in api && api.status === 403 && api.body.includes('AGENT_CREDENTIAL_REQUIRED'), JSON.stringify(api));
  });

  it('welcomes, sends queued work, pushes new work and cancels', async () => {
    const queued = await call(h, 'POST', '/api/v1/retrievals', h.keys.admin, { endpoints: [h.endpointId], paths: ['/etc/queued'] });
    const queuedId = (queued.json() as { id: number }).id;
    const opened = await openWs(url, h.keys.agent);
    assert.ok('ws' in opened);
    const { ws, inbox } = opened;
    try {
      await inbox.next((m) => m.type === 'welcome');
      await inbox.next((m) => m.type === 'retrieve' && m.command?.taskId === queuedId);
      ws.send(JSON.stringify({ type: 'hello', agentVersion: '0.1.0', hostname: h.hostname, os: 'linux', osVersion: '6', arch: 'x64', ipAddresses: [] }));
      ws.send('not json');
      ws.send(JSON.stringify({ type: 'heartbeat' }));

      const live = await call(h, 'POST', '/api/v1/retrievals', h.keys.admin, { endpoints: [h.endpointId], paths: ['/etc/live'] });
      const liveId = (live.json() as { id: number }).id;
      const cmd = await inbox.next((m) => m.type === 'retrieve' && m.command?.taskId === liveId);
      await call(h, 'POST', `/api/v1/retrievals/${liveId}/cancel`, h.keys.admin);
      const cancel = await inbox.next((m) => m.type === 'cancel');

      assert.equal(cancel.subtaskId, cmd.command?.subtaskId);
      const endpoint = await call(h, 'GET', `/api/v1/endpoints/${h.endpointId}`, h.keys.viewer);
      assert.equal((endpoint.json() as { online: boolean }).online, true);
    } finally {
      ws.close();
    }
  });

  it('a newer connection replaces the older one', async () => {
    const a = await openWs(url, h.keys.agent);
    assert.ok('ws' in a);
    const closed = new Promise<number>((resolve) => a.ws.once('close', (code) => resolve(code)));

    const b = await openWs(url, h.keys.agent);
    assert.ok('ws' in b);

    assert.equal(await closed, 4001);
    assert.ok(h.app.hub.isConnected(h.endpointId));
    b.ws.close();
  });
});

describe('GET /agent/v1/poll (long-poll fallback)', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  it('first poll gets the welcome; a waiting poll wakes when work arrives', async () => {
    const first = await call(h, 'GET', '/agent/v1/poll?waitSeconds=0', h.keys.agent);
    assert.deepEqual((first.json() as { messages: Msg[] }).messages.map((m) => m.type), ['welcome']);

    const started = Date.now();
    const waiting = call(h, 'GET', '/agent/v1/poll?waitSeconds=30', h.keys.agent);
    const created = await call(h, 'POST', '/api/v1/retrievals', h.keys.admin, { endpoints: [h.endpointId], paths: ['/etc/hosts'] });
    const res = await waiting;

    assert.equal(res.statusCode, 200);
    const messages = (res.json() as { messages: Msg[] }).messages;
    assert.equal(messages[0]?.type, 'retrieve');
    assert.equal(messages[0]?.command?.taskId, (created.json() as { id: number }).id);
    assert.ok(Date.now() - started < 10_000, 'woke long before the wait ran out');
  });

  it('rejects waitSeconds out of range', async () => {
    const res = await call(h, 'GET', '/agent/v1/poll?waitSeconds=61', h.keys.agent);

    assert.equal(res.statusCode, 400);
  });
});
