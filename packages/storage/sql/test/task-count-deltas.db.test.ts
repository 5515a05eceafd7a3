import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDialect } from '@quarry/testing';
import type { SqlStore } from '../src/index.js';
import { makeTestStore, type TestStore } from './test-store.js';

async function insertTask(store: SqlStore): Promise<number> {
  return store.tasks.insert({
    kind: 'retrieval', name: 't', source: 'native', paths: ['/x'], createdBy: 'test', ttlSeconds: 60, maxAttempts: 1,
    expiresAt: 10_000, status: 'pending', finishedAt: null, createdAt: 1, updatedAt: 1,
  });
}

/**
 * Subtask changes record pending counter changes (no task row lock); folds move them into the
 * task row. Counts read at any moment must include what is pending, and no change may be lost or
 * counted twice when folds run at once (two nodes) or a fold runs beside new changes.
 */
describeEachDialect('task count deltas', (dialect) => {
  let t: TestStore;
  before(async () => {
    t = await makeTestStore(dialect, 'task-count-deltas');
  });
  after(async () => {
    await t.cleanup();
  });

  it('counts pending changes on read, folds each exactly once, and lists stale ones', async () => {
    const taskId = await insertTask(t.store);
    await t.store.tasks.adjustCounts(taskId, { queued: 3 });
    await t.store.tasks.recordCountDelta(taskId, { queued: -1, dispatched: 1 }, 0, 100);
    await t.store.tasks.recordCountDelta(taskId, { dispatched: -1, succeeded: 1 }, 1, 200);
    await t.store.tasks.recordCountDelta(taskId, {}, 0, 300); // nothing to record: no row

    const read = (await t.store.tasks.countSubtasks([taskId])).get(taskId)!;
    assert.deepEqual([read.queued, read.dispatched, read.succeeded], [2, 0, 1]);
    assert.deepEqual(await t.store.tasks.listWithPendingCounts(150, 10), [taskId]);
    assert.deepEqual(await t.store.tasks.listWithPendingCounts(99, 10), []);

    const folded = await t.store.transaction((tx) => tx.tasks.foldCounts(taskId));
    assert.equal(folded?.folded, 2);
    assert.deepEqual([folded?.counters.counts.queued, folded?.counters.counts.succeeded, folded?.counters.filesSucceeded], [2, 1, 1]);
    assert.deepEqual(folded?.task, { status: 'pending', finishedAt: null });
    const again = await t.store.transaction((tx) => tx.tasks.foldCounts(taskId));
    assert.equal(again?.folded, 0, 'nothing left to fold');
    assert.deepEqual((await t.store.tasks.countSubtasks([taskId])).get(taskId), again?.counters.counts);
    assert.deepEqual(await t.store.tasks.listWithPendingCounts(Number.MAX_SAFE_INTEGER, 10), []);
    assert.equal(await t.store.transaction((tx) => tx.tasks.foldCounts(999_999)), null);
  });

  it('loses and doubles nothing when folds race each other and new changes', async () => {
    const other = await t.openAnother();
    const taskId = await insertTask(t.store);
    const writes = Array.from({ length: 40 }, (_, i) => async () => {
      const store = i % 2 === 0 ? t.store : other;
      await store.transaction((tx) => tx.tasks.recordCountDelta(taskId, { running: 1 }, 1, i));
      await store.transaction((tx) => tx.tasks.foldCounts(taskId));
    });
    if (dialect === 'postgres') await Promise.all(writes.map((w) => w()));
    else for (const w of writes) await w();

    const counters = await t.store.transaction((tx) => tx.tasks.adjustCounts(taskId, {}));
    assert.deepEqual([counters?.counts.running, counters?.filesSucceeded], [40, 40]);
    assert.deepEqual(await t.store.tasks.listWithPendingCounts(Number.MAX_SAFE_INTEGER, 10), []);
  });
});
