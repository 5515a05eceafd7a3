import { it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { RetrievalCommand } from '@quarry/protocol';
import { describeEachDialect } from '@quarry/testing';
import { ADMIN, createHarness, enrolEndpoint, type Harness } from './service-harness.js';

/**
 * Subtask changes record their counter change and the task is folded right after the commit. A
 * process that dies in between leaves the change pending: reads already count it, and the
 * engine's tick folds it (status, finish time and event) once it is older than a few seconds.
 */
describeEachDialect('task status fold', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  it('is folded by the call that made the change, before it returns', async () => {
    const { endpointId } = await enrolEndpoint(h);
    const task = await h.services.retrievals.create(ADMIN, { endpoints: [endpointId], paths: ['/a'] });
    const [command] = (await h.services.agentWork.claimCommands(endpointId, { resendInFlight: false })) as RetrievalCommand[];
    assert.equal((await h.services.retrievals.getTask(task.id)).status, 'running');
    await h.services.agentWork.fail(endpointId, command!.files[0]!.fileOpId, { attempt: command!.attempt, code: 'NOT_FOUND', message: 'gone' });
    const after = await h.services.retrievals.getTask(task.id);
    assert.equal(after.status, 'failed');
    assert.notEqual(after.finishedAt, null);
    assert.ok(h.events.some((e) => e.type === 'task' && e.taskId === task.id && e.status === 'failed'), 'the status change was announced');
    assert.deepEqual(await h.store.tasks.listWithPendingCounts(Number.MAX_SAFE_INTEGER, 10), []);
  });

  it('folds a change left pending by a crash on the next tick after it went stale', async () => {
    const { endpointId } = await enrolEndpoint(h);
    const task = await h.services.retrievals.create(ADMIN, { endpoints: [endpointId], paths: ['/a'] });
    const [command] = (await h.services.agentWork.claimCommands(endpointId, { resendInFlight: false })) as RetrievalCommand[];
    const now = h.clock.now().getTime();
    // What a subtask change commits, without the fold that would follow it.
    await h.store.transaction(async (tx) => {
      assert.ok(await tx.subtasks.update(command!.subtaskId, { state: 'dispatched' }, { state: 'cancelled', finishedAt: now, updatedAt: now }));
      await tx.tasks.recordCountDelta(task.id, { dispatched: -1, cancelled: 1 }, 0, now);
    });
    const pending = await h.services.retrievals.getTask(task.id);
    assert.equal(pending.counts.cancelled, 1, 'reads count the pending change');
    assert.equal(pending.status, 'running', 'not folded yet');

    await h.services.engine.tick();
    assert.equal((await h.services.retrievals.getTask(task.id)).status, 'running', 'too fresh for the sweep: its own process may still fold it');
    h.clock.advance(11);
    await h.services.engine.tick();
    const folded = await h.services.retrievals.getTask(task.id);
    assert.equal(folded.status, 'cancelled');
    assert.notEqual(folded.finishedAt, null);
    assert.deepEqual(folded.counts, { ...pending.counts });
    assert.deepEqual(await h.store.tasks.listWithPendingCounts(Number.MAX_SAFE_INTEGER, 10), []);
  });
});
