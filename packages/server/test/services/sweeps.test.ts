import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@quarry/core';
import { describeEachDialect } from '@quarry/testing';
import type { SweepCommand, SweepResultRow, SweepResultsBody } from '@quarry/protocol';
import { ADMIN, createHarness, enrolEndpoint, type Harness } from './service-harness.js';


const ZERO = { filesListed: 0, filesMatched: 0, bytesHashed: 0, skippedUnreadable: 0, skippedLoops: 0, skippedDenied: 0, rootsMissing: 0, durationMs: 0 };
const hex = (c: string, n: number) => c.repeat(n);
const row = (path: string, c = 'a', size = 10): SweepResultRow => ({ path, size, mtimeMs: Date.UTC(2030, 0, 1), owner: 'root', md5: hex(c, 32), sha1: hex(c, 40), sha256: hex(c, 64) });

async function claimSweep(h: Harness, endpointId: string): Promise<SweepCommand> {
  const work = await h.services.agentWork.claimWork(endpointId, { resendInFlight: false });
  const m = work.find((w) => w.type === 'sweep');
  assert.ok(m && m.type === 'sweep', `expected a sweep command, got ${JSON.stringify(work)}`);
  return m.command;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e) => isAppError(e) && e.code === code);
}

describeEachDialect('sweeps in the task engine', (dialect) => {
  let h: Harness;
  let a: { endpointId: string };
  let b: { endpointId: string };
  before(async () => {
    h = await createHarness(dialect);
    a = await enrolEndpoint(h, 'sweep-a');
    b = await enrolEndpoint(h, 'sweep-b');
  });
  after(() => h.close());

  const batch = (c: SweepCommand, seq: number, results: SweepResultRow[], extra: Partial<SweepResultsBody> = {}): SweepResultsBody => ({ attempt: c.attempt, seq, results, ...extra });

  it('dispatches the sweep with its criteria, stores batches idempotently and settles on the final batch', async () => {
    const task = await h.services.sweeps.create(ADMIN, { endpoints: [a.endpointId], roots: ['/srv/**/*.log'], names: ['*.log'], budgets: { maxFiles: 50 } });
    assert.equal(task.kind, 'sweep');
    assert.equal(task.status, 'pending');
    assert.equal(task.criteria.budgets.maxFiles, 50);
    assert.deepEqual(await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: false }), [], 'retrieval claims leave sweeps queued');
    const c = await claimSweep(h, a.endpointId);
    assert.equal(c.taskId, task.id);
    assert.deepEqual(c.criteria.roots, ['/srv/**/*.log']);
    await h.services.agentWork.started(a.endpointId, c.subtaskId, c.attempt);

    const work = h.services.agentWork;
    assert.deepEqual(await work.sweepResults(a.endpointId, c.subtaskId, batch(c, 0, [row('/srv/a.log'), row('/srv/x/b.log', 'b')], { progress: { ...ZERO, filesListed: 10 } })), { seq: 0, duplicate: false });
    assert.deepEqual(await work.sweepResults(a.endpointId, c.subtaskId, batch(c, 0, [row('/srv/a.log'), row('/srv/x/b.log', 'b')])), { seq: 0, duplicate: true });
    await rejectsWith(work.sweepResults(a.endpointId, c.subtaskId, batch(c, 2, [])), 'SWEEP_BATCH_OUT_OF_ORDER');
    await rejectsWith(work.sweepResults(b.endpointId, c.subtaskId, batch(c, 1, [])), 'SUBTASK_NOT_FOUND');

    const running = await h.services.sweeps.get(task.id);
    assert.equal(running.status, 'running');
    assert.equal(running.subtasks.items[0]!.sweep.results, 2);
    assert.equal(running.subtasks.items[0]!.sweep.filesListed, 10);
    assert.equal(running.subtasks.items[0]!.sweep.done, false);

    const done = { ...ZERO, filesListed: 50, filesMatched: 3, bytesHashed: 30, truncated: true, budgetHit: 'maxFiles' as const };
    await work.sweepResults(a.endpointId, c.subtaskId, batch(c, 1, [row('/srv/c.log', 'c')], { done }));
    // The final POST retried after the subtask ended is still acknowledged.
    assert.deepEqual(await work.sweepResults(a.endpointId, c.subtaskId, batch(c, 1, [row('/srv/c.log', 'c')], { done })), { seq: 1, duplicate: true });

    const finished = await h.services.sweeps.get(task.id);
    assert.equal(finished.status, 'succeeded');
    const s = finished.subtasks.items[0]!;
    assert.equal(s.state, 'succeeded');
    assert.deepEqual(
      { truncated: s.sweep.truncated, budgetHit: s.sweep.budgetHit, results: s.sweep.results, listed: s.sweep.filesListed, done: s.sweep.done },
      { truncated: true, budgetHit: 'maxFiles', results: 3, listed: 50, done: true },
    );
    const results = await h.services.sweeps.results(task.id);
    assert.deepEqual(results.items.map((r) => r.element.path), ['/srv/a.log', '/srv/x/b.log', '/srv/c.log']);
    assert.equal(results.items[0]!.element.hostname, 'sweep-a');
    assert.equal(results.items[0]!.element.owner, 'root');
    assert.ok(results.items[0]!.element.guid.length >= 16);
    await rejectsWith(work.sweepResults(a.endpointId, c.subtaskId, batch(c, 2, [])), 'SUBTASK_NOT_ACTIVE');
  });

  it('keeps one element per (endpoint, path) across sweeps, updated in place', async () => {
    const first = await h.services.elements.list({ path: '/srv/a.log' });
    assert.equal(first.items.length, 1);
    const before = first.items[0]!;
    const task = await h.services.sweeps.create(ADMIN, { endpoints: [a.endpointId, b.endpointId], roots: ['/srv'] });
    const ca = await claimSweep(h, a.endpointId);
    const cb = await claimSweep(h, b.endpointId);
    const done = { ...ZERO, truncated: false, budgetHit: null };
    h.clock.advance(60);
    await h.services.agentWork.sweepResults(a.endpointId, ca.subtaskId, batch(ca, 0, [row('/srv/a.log', 'd', 99)], { done }));
    await h.services.agentWork.sweepResults(b.endpointId, cb.subtaskId, batch(cb, 0, [row('/srv/a.log', 'a'), row('/srv/other.txt', 'e')], { done }));

    const after = await h.services.elements.get(before.id);
    assert.equal(after.guid, before.guid);
    assert.equal(after.sha256, hex('d', 64));
    assert.equal(after.size, 99);
    assert.equal(after.lastTaskId, task.id);
    assert.equal(after.firstSeenAt, before.firstSeenAt);
    assert.ok(after.lastSeenAt > before.lastSeenAt);
    const all = await h.services.elements.list({ path: '/srv/a.log' });
    assert.deepEqual(all.items.map((e) => e.hostname).sort(), ['sweep-a', 'sweep-b']);

    assert.deepEqual((await h.services.elements.list({ hash: hex('e', 40) })).items.map((e) => e.path), ['/srv/other.txt']);
    assert.deepEqual((await h.services.elements.list({ name: 'OTHER.*' })).items.map((e) => e.path), ['/srv/other.txt']);
    assert.equal((await h.services.elements.list({ path: '/srv/*.log', endpointId: 'sweep-b' })).items.length, 1);
    assert.deepEqual((await h.services.sweeps.results(task.id, { endpointId: 'sweep-b', name: '*.txt' })).items.map((r) => r.element.path), ['/srv/other.txt']);
    assert.equal((await h.services.sweeps.results(task.id, { hash: hex('d', 32) })).items.length, 1);
    await rejectsWith(h.services.elements.get(999_999), 'ELEMENT_NOT_FOUND');
  });

  it('pages results and hands out a cursor to follow the ones still to come', async () => {
    const task = await h.services.sweeps.create(ADMIN, { endpoints: [a.endpointId], roots: ['/p'] });
    const c = await claimSweep(h, a.endpointId);
    await h.services.agentWork.sweepResults(a.endpointId, c.subtaskId, batch(c, 0, [row('/p/1'), row('/p/2'), row('/p/3')]));
    const page1 = await h.services.sweeps.results(task.id, { limit: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.nextCursor);
    const page2 = await h.services.sweeps.results(task.id, { limit: 2, cursor: page1.nextCursor! });
    assert.deepEqual(page2.items.map((r) => r.element.path), ['/p/3']);
    assert.equal(page2.nextCursor, null);
    const empty = await h.services.sweeps.results(task.id, { cursor: page2.resumeCursor! });
    assert.equal(empty.items.length, 0);
    assert.equal(empty.resumeCursor, page2.resumeCursor);
    await h.services.agentWork.sweepResults(a.endpointId, c.subtaskId, batch(c, 1, [row('/p/4')], { done: { ...ZERO, truncated: false, budgetHit: null } }));
    assert.deepEqual((await h.services.sweeps.results(task.id, { cursor: page2.resumeCursor! })).items.map((r) => r.element.path), ['/p/4']);
  });

  it('retries a failed walk with a fresh batch sequence, and times out a silent agent', async () => {
    const task = await h.services.sweeps.create(ADMIN, { endpoints: [a.endpointId], roots: ['/r'], maxAttempts: 2 });
    const c1 = await claimSweep(h, a.endpointId);
    await h.services.agentWork.sweepResults(a.endpointId, c1.subtaskId, batch(c1, 0, [row('/r/1')]));
    await h.services.agentWork.sweepResults(a.endpointId, c1.subtaskId, batch(c1, 1, [], { failure: { code: 'IO_ERROR', message: 'disk went away' } }));
    assert.equal((await h.services.retrievals.getSubtask(c1.subtaskId)).state, 'queued');
    h.clock.advance(30);
    await h.services.engine.tick();
    const c2 = await claimSweep(h, a.endpointId);
    assert.equal(c2.attempt, 2);
    assert.deepEqual(await h.services.agentWork.sweepResults(a.endpointId, c2.subtaskId, batch(c2, 0, [row('/r/1'), row('/r/2')])), { seq: 0, duplicate: false });
    await rejectsWith(h.services.agentWork.sweepResults(a.endpointId, c2.subtaskId, batch(c1, 2, [])), 'SUBTASK_NOT_ACTIVE');
    assert.equal((await h.services.sweeps.results(task.id)).items.length, 2, 'a file seen by both attempts is one result');
    h.clock.advance(600);
    await h.services.engine.tick();
    const timedOut = await h.services.sweeps.get(task.id);
    assert.equal(timedOut.subtasks.items[0]!.state, 'timed_out');
    assert.equal(timedOut.status, 'failed');
  });

  it('cancels a running sweep and tells its agent', async () => {
    const task = await h.services.sweeps.create(ADMIN, { endpoints: [a.endpointId], roots: ['/c'] });
    const c = await claimSweep(h, a.endpointId);
    h.events.length = 0;
    const cancelled = await h.services.sweeps.cancel(ADMIN, task.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.ok(h.events.some((e) => e.type === 'cancel' && e.subtaskId === c.subtaskId));
    await rejectsWith(h.services.agentWork.sweepResults(a.endpointId, c.subtaskId, batch(c, 0, [])), 'SUBTASK_NOT_ACTIVE');
    await rejectsWith(h.services.sweeps.cancel(ADMIN, task.id), 'TASK_NOT_CANCELLABLE');
    const retrieval = await h.services.retrievals.create(ADMIN, { endpoints: [a.endpointId], paths: ['/etc/hosts'] });
    await rejectsWith(h.services.sweeps.get(retrieval.id), 'TASK_NOT_FOUND');
    assert.ok((await h.services.sweeps.list({})).items.every((t) => t.kind === 'sweep'));
    assert.ok((await h.services.retrievals.list({})).items.every((t) => t.kind === 'retrieval'));
  });

  it('starts a retrieval from elements: one subtask per endpoint with its elements\' paths', async () => {
    const ea = (await h.services.elements.list({ path: '/srv/x/b.log' })).items[0]!;
    const [eb] = (await h.services.elements.list({ path: '/srv/other.txt' })).items;
    const ec = (await h.services.elements.list({ path: '/srv/c.log' })).items[0]!;
    const task = await h.services.retrievals.create(ADMIN, { elements: [ea.id, eb!.id, ec.id] });
    const detail = await h.services.retrievals.get(task.id);
    const byHost = Object.fromEntries(detail.subtasks.items.map((s) => [s.hostname, s.files.map((f) => f.path).sort()]));
    assert.deepEqual(byHost, { 'sweep-a': ['/srv/c.log', '/srv/x/b.log'], 'sweep-b': ['/srv/other.txt'] });
    await rejectsWith(h.services.retrievals.create(ADMIN, { elements: [ea.id, 424242] }), 'ELEMENT_NOT_FOUND');
    await rejectsWith(h.services.retrievals.create(ADMIN, { elements: [ea.id], paths: ['/x'] }), 'VALIDATION_FAILED');
  });
});
