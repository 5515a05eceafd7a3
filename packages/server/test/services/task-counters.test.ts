import { it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SUBTASK_STATES, type RetrievalCommand, type SubtaskState } from '@quarry/protocol';
import { deriveTaskStatus, type SubtaskStateCounts } from '@quarry/core';
import { describeEachDialect } from '@quarry/testing';
import { ADMIN, bodyOf, createHarness, enrolEndpoint, hashesOf, sha256, type Harness } from './service-harness.js';

const CHUNK = 1024;

/**
 * The per-state counters on the task row replace counting subtasks, so after any mix of subtask
 * changes they must equal a fresh count over the subtasks (and file ops) themselves.
 */
describeEachDialect('task counters', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect, { maxTargetEndpoints: 8, chunkSize: CHUNK });
  });
  afterEach(async () => {
    await h.close();
  });

  async function freshCounts(): Promise<Map<number, { counts: SubtaskStateCounts; filesSucceeded: number }>> {
    const out = new Map<number, { counts: SubtaskStateCounts; filesSucceeded: number }>();
    for (const t of await h.store.db.selectFrom('tasks').select('id').execute()) {
      out.set(Number(t.id), { counts: Object.fromEntries(SUBTASK_STATES.map((s) => [s, 0])) as SubtaskStateCounts, filesSucceeded: 0 });
    }
    const rows = await h.store.db
      .selectFrom('subtasks')
      .select((eb) => ['task_id', 'state', eb.fn.countAll<number | string>().as('n')])
      .groupBy(['task_id', 'state'])
      .execute();
    for (const r of rows) out.get(Number(r.task_id))!.counts[r.state as SubtaskState] = Number(r.n);
    const files = await h.store.db
      .selectFrom('file_ops')
      .select((eb) => ['task_id', eb.fn.countAll<number | string>().as('n')])
      .where('state', '=', 'succeeded')
      .groupBy('task_id')
      .execute();
    for (const r of files) out.get(Number(r.task_id))!.filesSucceeded = Number(r.n);
    return out;
  }

  async function upload(endpointId: string, command: RetrievalCommand, index: number): Promise<void> {
    const data = randomBytes(CHUNK + 10);
    const up = await h.services.agentWork.begin(endpointId, command.files[index]!.fileOpId, { attempt: command.attempt, size: data.length, mtimeMs: null, sha256: sha256(data) });
    if (up.action !== 'upload') throw new Error('expected upload');
    for (let i = 0; i < up.chunkCount; i++) {
      const chunk = data.subarray(i * CHUNK, (i + 1) * CHUNK);
      await h.services.agentWork.putChunk(endpointId, { uploadId: up.uploadId, index: i, sha256: sha256(chunk), contentLength: chunk.length, body: bodyOf(chunk) });
    }
    await h.services.agentWork.complete(endpointId, up.uploadId, hashesOf(data));
  }

  it('equal a fresh count by state after create, claim, start, fail, retry, cancel, expire, time out and succeed', async () => {
    const e: string[] = [];
    for (let i = 0; i < 7; i++) e.push((await enrolEndpoint(h)).endpointId);
    const fail = (endpointId: string, c: RetrievalCommand, index: number) =>
      h.services.agentWork.fail(endpointId, c.files[index]!.fileOpId, { attempt: c.attempt, code: 'NOT_FOUND', message: 'gone' });

    const a = await h.services.retrievals.create(ADMIN, { endpoints: e.slice(0, 6), paths: ['/a', '/b'], maxAttempts: 2 });
    const expiring = await h.services.retrievals.create(ADMIN, { endpoints: [e[6]!], paths: ['/x'], ttlSeconds: 60 });
    const single = await h.services.retrievals.create(ADMIN, { endpoints: [e[5]!], paths: ['/y'], maxAttempts: 1 });
    const partial = await h.services.retrievals.create(ADMIN, { endpoints: [e[4]!], paths: ['/p', '/q'], maxAttempts: 1 });

    // Claims through both paths: one endpoint at a time, and the batch claim.
    const byEndpoint = new Map<string, RetrievalCommand[]>();
    for (const id of e.slice(0, 2)) byEndpoint.set(id, (await h.services.agentWork.claimCommands(id, { resendInFlight: false })) as RetrievalCommand[]);
    for (const [id, messages] of await h.services.agentWork.claimWorkBatch(e.slice(2, 6))) {
      byEndpoint.set(id, messages.map((m) => (m.type === 'retrieve' ? m.command : assert.fail('not a retrieval'))));
    }
    const cmd = (i: number, taskId = a.id) => byEndpoint.get(e[i]!)!.find((c) => c.taskId === taskId)!;

    // e0: succeeds (one upload, one dedup skip of the same content is not needed: two uploads).
    await h.services.agentWork.started(e[0]!, cmd(0).subtaskId, 1);
    await upload(e[0]!, cmd(0), 0);
    await upload(e[0]!, cmd(0), 1);
    // e1: both files fail on attempt 1 of 2, so the subtask goes back to the queue for a retry.
    await h.services.agentWork.started(e[1]!, cmd(1).subtaskId, 1);
    await fail(e[1]!, cmd(1), 0);
    await fail(e[1]!, cmd(1), 1);
    // e2: cancelled while running; e3: left dispatched.
    await h.services.agentWork.started(e[2]!, cmd(2).subtaskId, 1);
    await h.services.retrievals.cancelSubtask(ADMIN, cmd(2).subtaskId);
    // e4: the one-attempt task gets one file and loses the other, so it ends partially succeeded.
    await h.services.agentWork.started(e[4]!, cmd(4, partial.id).subtaskId, 1);
    await upload(e[4]!, cmd(4, partial.id), 0);
    await fail(e[4]!, cmd(4, partial.id), 1);
    // e5: started, then silent past the inactivity timeout on its only attempt.
    await h.services.agentWork.started(e[5]!, cmd(5, single.id).subtaskId, 1);

    h.clock.advance(121);
    await h.services.engine.tick();
    h.clock.advance(30);
    await h.services.engine.tick();

    const mid = await freshCounts();
    const stored = await h.store.tasks.countSubtasks([...mid.keys()]);
    for (const [taskId, fresh] of mid) assert.deepEqual(stored.get(taskId), fresh.counts, `task ${taskId} mid-way`);

    // Cancel what is left of the big task in one go (the batched path).
    await h.services.retrievals.cancel(ADMIN, a.id);

    const fresh = await freshCounts();
    const seen = new Set<SubtaskState>();
    for (const [taskId, f] of fresh) {
      const counters = await h.store.transaction((tx) => tx.tasks.adjustCounts(taskId, {}));
      assert.deepEqual(counters, f, `task ${taskId}`);
      const task = await h.services.retrievals.getTask(taskId);
      assert.deepEqual(task.counts, { total: Object.values(f.counts).reduce((x, y) => x + y, 0), ...f.counts });
      const derived = deriveTaskStatus(f.counts);
      assert.equal(task.status, derived === 'failed' && f.filesSucceeded > 0 ? 'partially_succeeded' : derived, `task ${taskId} status`);
      for (const s of SUBTASK_STATES) if (f.counts[s] > 0) seen.add(s);
    }
    assert.deepEqual([...seen].sort(), ['cancelled', 'expired', 'failed', 'succeeded', 'timed_out'], 'the workload reached the ended states');
    assert.equal((await h.services.retrievals.getTask(expiring.id)).status, 'expired');
    assert.equal((await h.services.retrievals.getTask(single.id)).status, 'failed');
    assert.equal((await h.services.retrievals.getTask(partial.id)).status, 'partially_succeeded');
    assert.equal(fresh.get(a.id)!.filesSucceeded, 2);
  });
});
