import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, createHarness, errorCode, type Harness } from './harness.js';

interface Sse {
  event: string;
  data: { type: string; status?: string; state?: string; subtaskId?: number };
}

function parseSse(text: string): Sse[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event:'))
    .map((block) => {
      const [eventLine = '', dataLine = ''] = block.split('\n');
      return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) as Sse['data'] };
    });
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('GET /api/v1/retrievals/:id/events', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  it('sends a snapshot, then live events, and ends when the task ends', async () => {
    const created = await call(h, 'POST', '/api/v1/retrievals', h.keys.admin, { endpoints: [h.endpointId], paths: ['/etc/hosts'] });
    const taskId = (created.json() as { id: number }).id;
    const baseline = h.bus.subscriberCount();

    const pending = call(h, 'GET', `/api/v1/retrievals/${taskId}/events`, h.keys.viewer);
    await waitFor(() => h.bus.subscriberCount() > baseline, 'the stream to subscribe');
    await call(h, 'POST', `/api/v1/retrievals/${taskId}/cancel`, h.keys.admin);
    const res = await pending;

    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    const events = parseSse(res.body);
    assert.equal(events[0]?.event, 'task');
    assert.equal(events[0]?.data.status, 'pending');
    assert.equal(events[1]?.event, 'progress');
    assert.equal(events[1]?.data.state, 'queued');
    const last = events.at(-1);
    assert.equal(last?.event, 'task');
    assert.equal(last?.data.status, 'cancelled');
    assert.ok(events.some((e) => e.event === 'progress' && e.data.state === 'cancelled'), res.body);
    assert.equal(h.bus.subscriberCount(), baseline, 'the stream unsubscribed');
  });

  it('ends right after the snapshot when the task has already ended', async () => {
    const created = await call(h, 'POST', '/api/v1/retrievals', h.keys.admin, { endpoints: [h.endpointId], paths: ['/etc/hosts'] });
    const taskId = (created.json() as { id: number }).id;
    await call(h, 'POST', `/api/v1/retrievals/${taskId}/cancel`, h.keys.admin);

    const res = await call(h, 'GET', `/api/v1/retrievals/${taskId}/events`, h.keys.viewer);

    const events = parseSse(res.body);
    assert.deepEqual(events.map((e) => e.event), ['task', 'progress']);
    assert.equal(events[0]?.data.status, 'cancelled');
  });

  it('an unknown task is a normal 404 envelope, not a stream', async () => {
    const res = await call(h, 'GET', '/api/v1/retrievals/987654/events', h.keys.viewer);

    assert.equal(res.statusCode, 404);
    assert.equal(errorCode(res), 'TASK_NOT_FOUND');
  });
});
