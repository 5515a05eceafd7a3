import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deriveTaskStatus, type QuarryStore, type SubtaskCountDelta } from '@quarry/core';
import { describeEachDialect } from '@quarry/testing';
import type { SqlStore } from '../src/index.js';
import { makeTestStore, type TestStore } from './test-store.js';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function insertEndpoint(store: SqlStore, id: string): Promise<void> {
  await store.endpoints.insert({
    id, shortId: id.slice(0, 24), hostname: 'initial', os: 'linux', osVersion: '6.1', arch: 'x64', agentVersion: '0.1.0',
    ipAddresses: [], agentSecretHash: 'h', enrolledAt: 1, lastSeenAt: null, connected: false,
  });
}

async function insertTaskWithSubtasks(store: SqlStore, endpointId: string, n: number): Promise<{ taskId: number; subtaskIds: number[] }> {
  const taskId = await store.tasks.insert({
    kind: 'retrieval', name: 't', source: 'native', paths: ['/x'], createdBy: 'test', ttlSeconds: 60, maxAttempts: 1,
    expiresAt: 10_000, status: 'pending', finishedAt: null, createdAt: 1, updatedAt: 1,
  });
  const subtask = {
    taskId, endpointId, state: 'running' as const, attempt: 1, maxAttempts: 1, failureCode: null, failureMessage: null, bytesTotal: null,
    bytesDone: 0, dispatchedAt: 1, startedAt: 1, finishedAt: null, deadlineAt: null, nextAttemptAt: null, createdAt: 1, updatedAt: 1,
  };
  const subtaskIds = await store.subtasks.insertMany(Array.from({ length: n }, () => subtask));
  await store.tasks.adjustCounts(taskId, { running: n });
  return { taskId, subtaskIds };
}

/** core's refreshTaskStatus in miniature: apply a subtask's move to the counters, store the status. */
async function refreshStatus(tx: QuarryStore, taskId: number, delta: SubtaskCountDelta): Promise<void> {
  const counters = (await tx.tasks.adjustCounts(taskId, delta))!;
  await tx.tasks.setStatus(taskId, deriveTaskStatus(counters.counts), null, 2);
}

describeEachDialect('transactions', (dialect) => {
  let t: TestStore;
  const A = 'a'.repeat(32);
  const B = 'b'.repeat(32);
  before(async () => {
    t = await makeTestStore(dialect, 'transactions');
    await insertEndpoint(t.store, A);
    await insertEndpoint(t.store, B);
  });
  after(async () => {
    await t.cleanup();
  });

  it('runs a failing transaction once when the failure is not transient', async () => {
    let runs = 0;

    await assert.rejects(
      t.store.transaction(async (tx) => {
        runs++;
        await tx.endpoints.update(A, { hostname: 'lost' });
        throw new Error('not transient');
      }),
      /not transient/,
    );

    assert.equal(runs, 1);
    assert.equal((await t.store.endpoints.get(A))?.hostname, 'initial');
  });

  // Needs two writers at once, which SQLite (one writer, synchronous busy wait) cannot have.
  it('re-runs the transaction a deadlock aborted, so both writers succeed', { skip: dialect === 'sqlite' && 'SQLite has one writer' }, async () => {
    const other = await t.openAnother();
    const aLocked = deferred();
    const bLocked = deferred();
    let runs = 0;

    // Each locks one row, waits until the other has locked its row, then wants the other's row:
    // PostgreSQL aborts one of them (40P01) and the store runs it again.
    await Promise.all([
      t.store.transaction(async (tx) => {
        runs++;
        await tx.endpoints.update(A, { hostname: 'one' });
        aLocked.resolve();
        await bLocked.promise;
        await tx.endpoints.update(B, { hostname: 'one' });
      }),
      other.transaction(async (tx) => {
        runs++;
        await tx.endpoints.update(B, { hostname: 'two' });
        bLocked.resolve();
        await aLocked.promise;
        await tx.endpoints.update(A, { hostname: 'two' });
      }),
    ]);

    assert.equal(runs, 3);
    const [a, b] = [await t.store.endpoints.get(A), await t.store.endpoints.get(B)];
    assert.equal(a?.hostname, b?.hostname, 'the re-run transaction wrote both rows last');
  });

  // Two nodes finish the last two subtasks of a task at once. At READ COMMITTED each transaction
  // would count the other's subtask as still running and both would store "running"; the task row
  // lock (taken by tasks.get, or by the counter update) makes the second read the counters after
  // the first commits.
  it('re-derives a task status with the other transaction\'s committed subtask change', { skip: dialect === 'sqlite' && 'SQLite has one writer' }, async () => {
    const other = await t.openAnother();
    const { taskId, subtaskIds } = await insertTaskWithSubtasks(t.store, A, 2);
    const secondUpdated = deferred();

    await Promise.all([
      t.store.transaction(async (tx) => {
        await tx.subtasks.update(subtaskIds[0]!, { state: 'running' }, { state: 'succeeded' });
        await tx.tasks.get(taskId);
        await secondUpdated.promise;
        await refreshStatus(tx, taskId, { running: -1, succeeded: 1 });
      }),
      other.transaction(async (tx) => {
        await tx.subtasks.update(subtaskIds[1]!, { state: 'running' }, { state: 'succeeded' });
        secondUpdated.resolve();
        await refreshStatus(tx, taskId, { running: -1, succeeded: 1 });
      }),
    ]);

    assert.equal((await t.store.tasks.get(taskId))?.status, 'succeeded');
  });

  it('adds concurrent counter changes without losing any', async () => {
    const other = await t.openAnother();
    const { taskId } = await insertTaskWithSubtasks(t.store, A, 0);
    const moves = Array.from({ length: 20 }, (_, i) => async () => {
      const store = i % 2 === 0 ? t.store : other;
      return store.transaction((tx) => tx.tasks.adjustCounts(taskId, { queued: 2, running: -1 }, 1));
    });

    if (dialect === 'postgres') await Promise.all(moves.map((m) => m()));
    else for (const m of moves) await m();

    const counters = await t.store.transaction((tx) => tx.tasks.adjustCounts(taskId, {}));
    assert.deepEqual([counters?.counts.queued, counters?.counts.running, counters?.filesSucceeded], [40, -20, 20]);
    assert.deepEqual((await t.store.tasks.countSubtasks([taskId, 999_999])).get(999_999)?.queued, 0);
    assert.equal(await t.store.transaction((tx) => tx.tasks.adjustCounts(999_999, { queued: 1 })), null);
  });
});
