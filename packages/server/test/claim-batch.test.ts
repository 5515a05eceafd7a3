import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { describeEachDialect } from '@quarry/testing';
import { CLAIM_BATCH_ENDPOINTS } from '../src/agents/claim-batcher.js';
import { ADMIN, createHarness, enrolEndpoint, type Harness } from './services/service-harness.js';

describeEachDialect('batch claim and the safety-net query', (dialect) => {
  let h: Harness;
  let endpoints: string[];
  beforeEach(async () => {
    h = await createHarness(dialect, { maxTargetEndpoints: 5 });
    endpoints = [];
    for (let i = 0; i < 5; i++) endpoints.push((await enrolEndpoint(h)).endpointId);
  });
  afterEach(async () => h?.close());

  it('lists only the endpoints with due queued work', async () => {
    assert.deepEqual(await h.services.agentWork.endpointsWithWork(endpoints), []);
    await h.services.retrievals.create(ADMIN, { endpoints: endpoints.slice(1, 3), paths: ['/a'] });

    assert.deepEqual((await h.services.agentWork.endpointsWithWork(endpoints)).sort(), endpoints.slice(1, 3).sort());
  });

  it('dispatches every endpoint its work once, in one go, and derives the task status', async () => {
    const first = await h.services.retrievals.create(ADMIN, { endpoints: endpoints.slice(0, 4), paths: ['/a', '/b'] });
    const second = await h.services.retrievals.create(ADMIN, { endpoints: endpoints.slice(0, 2), paths: ['/c'] });

    const claimed = await h.services.agentWork.claimWorkBatch(endpoints);

    assert.deepEqual([...claimed.keys()].sort(), endpoints.slice(0, 4).sort());
    const e0 = claimed.get(endpoints[0]!)!.map((m) => (m.type === 'retrieve' ? m.command : assert.fail('not a retrieval')));
    assert.deepEqual(e0.map((c) => [c.taskId, c.attempt, c.files.map((f) => f.path)]), [
      [first.id, 1, ['/a', '/b']],
      [second.id, 1, ['/c']],
    ]);
    assert.equal((await h.services.agentWork.claimWorkBatch(endpoints)).size, 0, 'nothing is handed out twice');
    assert.deepEqual(await h.services.agentWork.claimCommands(endpoints[3]!, { resendInFlight: false }), []);
    const task = await h.services.retrievals.getTask(first.id);
    assert.equal(task.counts.dispatched, 4, JSON.stringify(task));
    assert.notEqual(task.status, 'pending');
  });

  it('refuses more endpoints than one batch takes', async () => {
    await assert.rejects(h.services.agentWork.claimWorkBatch(Array.from({ length: CLAIM_BATCH_ENDPOINTS + 1 }, (_, i) => i.toString(16).padStart(32, '0'))), RangeError);
  });
});
