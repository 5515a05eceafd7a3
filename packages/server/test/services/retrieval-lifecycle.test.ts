import { it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@quarry/core';
import { describeEachDialect } from '@quarry/testing';
import { ADMIN, createHarness, enrolEndpoint, type Harness } from './service-harness.js';

describeEachDialect('retrievals: create, claim, start, cancel', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  it('creates one subtask per endpoint and one file op per path, deduplicated', async () => {
    const a = await enrolEndpoint(h, 'alpha');
    const b = await enrolEndpoint(h, 'beta');
    const shortB = (await h.services.endpoints.get(b.endpointId)).shortId;

    const task = await h.services.retrievals.create(ADMIN, { endpoints: ['alpha', a.endpointId, shortB], paths: ['/etc/hosts', '/etc/hosts', 'C:\\x.txt'] });

    assert.equal(task.status, 'pending');
    assert.deepEqual(task.paths, ['/etc/hosts', 'C:\\x.txt']);
    assert.equal(task.counts.total, 2);
    assert.equal(task.counts.queued, 2);
    const detail = await h.services.retrievals.get(task.id);
    assert.deepEqual(detail.subtasks.items.map((s) => s.endpointId).sort(), [a.endpointId, b.endpointId].sort());
    assert.equal(detail.subtasks.items[0]?.files.length, 2);
    assert.deepEqual(h.events.find((e) => e.type === 'work-available'), { type: 'work-available', endpointIds: [a.endpointId, b.endpointId] });
    const audit = await h.services.audit.list({ action: 'retrieval.create' });
    assert.equal(audit.items[0]?.targetId, String(task.id));
    assert.equal(audit.items[0]?.ip, '127.0.0.1');
  });

  it('refuses bad targets with the catalogued codes', async () => {
    await enrolEndpoint(h, 'dup');
    await enrolEndpoint(h, 'dup');
    await enrolEndpoint(h, 'solo');
    const create = (endpoints: string[], paths: string[]) => h.services.retrievals.create(ADMIN, { endpoints, paths });

    await assert.rejects(create(['nope'], ['/a']), (e) => isAppError(e, 'ENDPOINT_NOT_FOUND') && e.details?.endpoint === 'nope');
    await assert.rejects(create(['dup'], ['/a']), (e) => isAppError(e, 'ENDPOINT_AMBIGUOUS') && e.details?.endpoint === 'dup');
    await assert.rejects(create(['solo'], ['relative/x']), (e) => isAppError(e, 'PATH_INVALID') && e.details?.path === 'relative/x');
    await assert.rejects(create(['solo'], ['/a/../b']), (e) => isAppError(e, 'PATH_INVALID'));
    await assert.rejects(create(['solo'], ['/1', '/2', '/3', '/4', '/5']), (e) => isAppError(e, 'TARGETS_TOO_MANY') && e.details?.what === 'paths');
    await assert.rejects(create(['a', 'b', 'c', 'd', 'e', 'f'], ['/1']), (e) => isAppError(e, 'TARGETS_TOO_MANY') && e.details?.what === 'endpoints');
    await assert.rejects(create(['  '], ['/1']), (e) => isAppError(e, 'TARGETS_EMPTY'));
    assert.equal((await h.services.retrievals.list({})).items.length, 0);
  });

  it('dispatches due work once, starts it, and re-sends in-flight work on reconnect', async () => {
    const a = await enrolEndpoint(h);
    const task = await h.services.retrievals.create(ADMIN, { endpoints: [a.endpointId], paths: ['/etc/hosts', '/etc/passwd'] });

    const [command, ...rest] = await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: false });

    assert.equal(rest.length, 0);
    assert.equal(command?.taskId, task.id);
    assert.equal(command?.attempt, 1);
    assert.deepEqual(command?.files.map((f) => f.path), ['/etc/hosts', '/etc/passwd']);
    assert.equal(command?.deadlineAt, new Date(h.clock.now().getTime() + 120_000).toISOString());
    assert.deepEqual(await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: false }), []);
    assert.equal((await h.services.retrievals.getTask(task.id)).status, 'running');

    await h.services.agentWork.started(a.endpointId, command!.subtaskId, 1);
    await h.services.agentWork.started(a.endpointId, command!.subtaskId, 1);

    const subtask = await h.services.retrievals.getSubtask(command!.subtaskId);
    assert.equal(subtask.state, 'running');
    await assert.rejects(h.services.agentWork.started(a.endpointId, command!.subtaskId, 2), (e) => isAppError(e, 'SUBTASK_NOT_ACTIVE'));
    const other = await enrolEndpoint(h);
    await assert.rejects(h.services.agentWork.started(other.endpointId, command!.subtaskId, 1), (e) => isAppError(e, 'SUBTASK_NOT_FOUND'));
    const resent = await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: true });
    assert.deepEqual(resent.map((c) => [c.subtaskId, c.attempt]), [[command!.subtaskId, 1]]);
  });

  it('cancels a task, telling agents of active subtasks, and refuses a second cancel', async () => {
    const a = await enrolEndpoint(h);
    const b = await enrolEndpoint(h);
    const task = await h.services.retrievals.create(ADMIN, { endpoints: [a.endpointId, b.endpointId], paths: ['/x'] });
    const [command] = await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: false });

    const cancelled = await h.services.retrievals.cancel(ADMIN, task.id);

    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.counts.cancelled, 2);
    assert.ok(cancelled.finishedAt);
    const cancels = h.events.filter((e) => e.type === 'cancel');
    assert.deepEqual(cancels, [{ type: 'cancel', endpointId: a.endpointId, subtaskId: command!.subtaskId, attempt: 1 }]);
    const detail = await h.services.retrievals.get(task.id);
    assert.ok(detail.subtasks.items.every((s) => s.files.every((f) => f.state === 'cancelled')));
    await assert.rejects(h.services.retrievals.cancel(ADMIN, task.id), (e) => isAppError(e, 'TASK_NOT_CANCELLABLE'));
    await assert.rejects(h.services.agentWork.started(a.endpointId, command!.subtaskId, 1), (e) => isAppError(e, 'SUBTASK_NOT_ACTIVE'));
    await assert.rejects(h.services.retrievals.cancel(ADMIN, 999), (e) => isAppError(e, 'TASK_NOT_FOUND'));
    assert.equal((await h.services.audit.list({ action: 'retrieval.cancel' })).items.length, 1);
  });

  it('cancels a task of more subtasks than one batch, whatever state each is in', async () => {
    const N = 1100;
    const big = await createHarness(dialect, { maxTargetEndpoints: N });
    try {
      const endpoints: string[] = [];
      for (let i = 0; i < N; i++) {
        const id = (0xc0ffee00 + i).toString(16).padStart(32, '0');
        await big.store.endpoints.insert({
          id, shortId: id.slice(8), hostname: `bulk-${i}`, os: 'linux', osVersion: '6.1', arch: 'x64', agentVersion: '0.1.0',
          ipAddresses: [], agentSecretHash: 'unused', enrolledAt: big.clock.now().getTime(), lastSeenAt: null, connected: false,
        });
        endpoints.push(id);
      }
      const task = await big.services.retrievals.create(ADMIN, { endpoints, paths: ['/a', '/b'] });
      // Some dispatched, some of those started, some already cancelled on their own: four groups.
      const byEndpoint = new Map((await big.store.subtasks.listByTask(task.id, {}, { limit: N })).map((s) => [s.endpointId, s]));
      const active = new Map<number, number>();
      for (const [i, endpointId] of endpoints.entries()) {
        if (i % 7 === 0) {
          const [command] = await big.services.agentWork.claimCommands(endpointId, { resendInFlight: false });
          if (i % 2 === 0) await big.services.agentWork.started(endpointId, command!.subtaskId, command!.attempt);
          active.set(command!.subtaskId, command!.attempt);
        } else if (i % 11 === 0) {
          await big.services.retrievals.cancelSubtask(ADMIN, byEndpoint.get(endpointId)!.id);
        }
      }
      big.events.length = 0;

      const cancelled = await big.services.retrievals.cancel(ADMIN, task.id);

      assert.equal(cancelled.status, 'cancelled');
      assert.equal(cancelled.counts.cancelled, N);
      assert.equal(cancelled.counts.total, N);
      const cancels = big.events.filter((e) => e.type === 'cancel');
      assert.deepEqual(new Map(cancels.map((e) => [e.subtaskId, e.attempt])), active, 'one cancel per active subtask, with its attempt');
      const subtasks = await big.store.subtasks.listByTask(task.id, {}, { limit: N + 1 });
      assert.ok(subtasks.every((s) => s.state === 'cancelled' && s.finishedAt !== null && s.deadlineAt === null));
      const files = await big.store.fileOps.listBySubtasks(subtasks.map((s) => s.id));
      assert.equal(files.length, 2 * N);
      assert.ok(files.every((f) => f.state === 'cancelled'));
      const [audit] = (await big.services.audit.list({ action: 'retrieval.cancel' })).items;
      assert.deepEqual(audit?.details, { cancelledSubtasks: N - Math.floor((N - 1) / 11 + 1) + Math.floor((N - 1) / 77 + 1) });
    } finally {
      await big.close();
    }
  });

  it('cancels a single subtask; the task keeps running for the others', async () => {
    const a = await enrolEndpoint(h);
    const b = await enrolEndpoint(h);
    const task = await h.services.retrievals.create(ADMIN, { endpoints: [a.endpointId, b.endpointId], paths: ['/x'] });
    const detail = await h.services.retrievals.get(task.id);
    const first = detail.subtasks.items[0]!;

    const s = await h.services.retrievals.cancelSubtask(ADMIN, first.id);

    assert.equal(s.state, 'cancelled');
    assert.equal((await h.services.retrievals.getTask(task.id)).status, 'running');
    await assert.rejects(h.services.retrievals.cancelSubtask(ADMIN, first.id), (e) => isAppError(e, 'SUBTASK_INVALID_TRANSITION'));
  });
});

describeEachDialect('engine: expiry, inactivity, retries', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  it('expires queued work past its TTL and never dispatches it', async () => {
    const a = await enrolEndpoint(h);
    const task = await h.services.retrievals.create(ADMIN, { endpoints: [a.endpointId], paths: ['/x'], ttlSeconds: 60 });
    h.clock.advance(60);

    assert.deepEqual(await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: false }), []);
    const result = await h.services.engine.tick();

    assert.equal(result.expired, 1);
    const after = await h.services.retrievals.getTask(task.id);
    assert.equal(after.status, 'expired');
    assert.equal((await h.services.engine.tick()).expired, 0);
  });

  it('retries an unresponsive subtask with back-off, then times it out', async () => {
    const a = await enrolEndpoint(h);
    const task = await h.services.retrievals.create(ADMIN, { endpoints: [a.endpointId], paths: ['/x'], maxAttempts: 2 });
    const [first] = await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: false });
    await h.services.agentWork.started(a.endpointId, first!.subtaskId, 1);
    h.clock.advance(100);
    await h.services.agentWork.started(a.endpointId, first!.subtaskId, 1); // pushes the deadline
    h.clock.advance(100);
    assert.equal((await h.services.engine.tick()).retried, 0);

    h.clock.advance(20);
    const tick = await h.services.engine.tick();

    assert.equal(tick.retried, 1);
    let s = await h.services.retrievals.getSubtask(first!.subtaskId);
    assert.equal(s.state, 'queued');
    assert.equal(s.failureCode, 'AGENT_UNRESPONSIVE');
    assert.ok(s.nextAttemptAt);
    assert.ok(h.events.some((e) => e.type === 'cancel' && e.subtaskId === first!.subtaskId && e.attempt === 1));
    assert.deepEqual(await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: false }), []);

    h.clock.advance(13); // base 10 s ± 20 %
    h.events.length = 0;
    assert.equal((await h.services.engine.tick()).released, 1);
    assert.deepEqual(h.events, [{ type: 'work-available', endpointIds: [a.endpointId] }]);
    assert.equal((await h.services.engine.tick()).released, 0);
    const [second] = await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: false });
    assert.equal(second?.attempt, 2);
    await assert.rejects(h.services.agentWork.started(a.endpointId, first!.subtaskId, 1), (e) => isAppError(e, 'SUBTASK_NOT_ACTIVE'));

    h.clock.advance(121);
    const last = await h.services.engine.tick();

    assert.equal(last.timedOut, 1);
    s = await h.services.retrievals.getSubtask(first!.subtaskId);
    assert.equal(s.state, 'timed_out');
    assert.equal(s.files[0]?.state, 'failed');
    assert.equal((await h.services.retrievals.getTask(task.id)).status, 'failed');
  });

  it('retries retryable file failures and settles a mix of failures', async () => {
    const a = await enrolEndpoint(h);
    const task = await h.services.retrievals.create(ADMIN, { endpoints: [a.endpointId], paths: ['/missing', '/flaky'], maxAttempts: 2 });
    const [c1] = await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: false });
    const [missing, flaky] = c1!.files;

    await h.services.agentWork.fail(a.endpointId, missing!.fileOpId, { attempt: 1, code: 'NOT_FOUND', message: 'no such file' });
    await h.services.agentWork.fail(a.endpointId, flaky!.fileOpId, { attempt: 1, code: 'IO_ERROR', message: 'disk hiccup' });

    let s = await h.services.retrievals.getSubtask(c1!.subtaskId);
    assert.equal(s.state, 'queued');
    assert.deepEqual(s.files.map((f) => f.state), ['failed', 'pending']);
    h.clock.advance(15);
    const [c2] = await h.services.agentWork.claimCommands(a.endpointId, { resendInFlight: false });
    assert.deepEqual(c2?.files.map((f) => f.path), ['/flaky']);
    await h.services.agentWork.fail(a.endpointId, flaky!.fileOpId, { attempt: 2, code: 'IO_ERROR', message: 'again' });

    s = await h.services.retrievals.getSubtask(c1!.subtaskId);
    assert.equal(s.state, 'failed');
    assert.equal(s.failureCode, 'NOT_FOUND');
    assert.equal((await h.services.retrievals.getTask(task.id)).status, 'failed');
  });
});

describeEachDialect('paging', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.close();
  });

  it('walks tasks, subtasks, endpoints and audit with opaque cursors', async () => {
    const endpoints = [];
    for (let i = 0; i < 5; i++) endpoints.push((await enrolEndpoint(h)).endpointId);
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await h.services.retrievals.create(ADMIN, { endpoints, paths: [`/f${i}`] })).id);

    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.services.retrievals.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(seen, [...created].reverse());

    const eps: string[] = [];
    cursor = undefined;
    do {
      const page = await h.services.endpoints.list({ limit: 3, ...(cursor ? { cursor } : {}) });
      eps.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(eps, [...endpoints].sort());

    const detail1 = await h.services.retrievals.get(created[0]!, { limit: 3 });
    const detail2 = await h.services.retrievals.get(created[0]!, { limit: 3, cursor: detail1.subtasks.nextCursor! });
    assert.equal(detail1.subtasks.items.length + detail2.subtasks.items.length, 5);
    assert.equal(detail2.subtasks.nextCursor, null);

    const audit1 = await h.services.audit.list({ limit: 4, action: 'retrieval.create' });
    const audit2 = await h.services.audit.list({ limit: 4, action: 'retrieval.create', cursor: audit1.nextCursor! });
    assert.equal(audit1.items.length + audit2.items.length, 5);
    await assert.rejects(h.services.retrievals.list({ cursor: 'garbage' }), (e) => isAppError(e, 'VALIDATION_FAILED'));
  });
});
