import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { SubtaskState } from '@quarry/protocol';
import { describeAcrossDialects, type TestDialect } from '@quarry/testing';
import { ADMIN, createHarness, type Harness } from './service-harness.js';

const SUBTASKS = 250;
const PAGE = 30;
const FILTERS: ReadonlyArray<SubtaskState | undefined> = [undefined, 'queued', 'dispatched', 'running', 'cancelled', 'succeeded'];

/** Deterministic endpoint ids, so both databases hold the same rows in the same order. */
function endpointId(i: number): string {
  return i.toString(16).padStart(32, '0');
}

async function insertEndpoints(h: Harness): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= SUBTASKS; i++) {
    const id = endpointId(i);
    await h.store.endpoints.insert({
      id, shortId: id.slice(8), hostname: `host-${i}`, os: 'linux', osVersion: '6.1', arch: 'x64', agentVersion: '0.1.0',
      ipAddresses: [], agentSecretHash: 'unused', enrolledAt: h.clock.now().getTime(), lastSeenAt: null, connected: false,
    });
    ids.push(id);
  }
  return ids;
}

/** A 250-subtask task with a deterministic mix of states, driven through the real services. */
async function seedTask(h: Harness): Promise<number> {
  const endpoints = await insertEndpoints(h);
  const task = await h.services.retrievals.create(ADMIN, { endpoints, paths: ['/var/log/syslog'] });
  const subtasks = await h.store.subtasks.listByTask(task.id, {}, { limit: SUBTASKS });
  for (const [i, s] of subtasks.entries()) {
    if (i % 3 === 0) {
      const [command] = await h.services.agentWork.claimCommands(s.endpointId, { resendInFlight: false });
      if (i % 2 === 0) await h.services.agentWork.started(s.endpointId, command!.subtaskId, command!.attempt);
    } else if (i % 5 === 1) {
      await h.services.retrievals.cancelSubtask(ADMIN, s.id);
    }
  }
  return task.id;
}

/** Every page of the task's subtasks for each filter, as `id:endpoint:state` per item. */
async function walk(h: Harness, taskId: number): Promise<Record<string, string[][]>> {
  const out: Record<string, string[][]> = {};
  for (const state of FILTERS) {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const detail = await h.services.retrievals.get(taskId, { limit: PAGE, ...(cursor ? { cursor } : {}), ...(state ? { state } : {}) });
      assert.ok(detail.subtasks.items.length <= PAGE);
      pages.push(detail.subtasks.items.map((s) => `${s.id}:${s.endpointId}:${s.state}`));
      cursor = detail.subtasks.nextCursor ?? undefined;
    } while (cursor);
    out[state ?? 'all'] = pages;
  }
  return out;
}

async function pagesOn(dialect: TestDialect): Promise<Record<string, string[][]>> {
  const h = await createHarness(dialect, { maxTargetEndpoints: SUBTASKS });
  try {
    return await walk(h, await seedTask(h));
  } finally {
    await h.close();
  }
}

describeAcrossDialects('getTaskStatus-style paging', (dialects) => {
  it('returns the same pages on both dialects', async () => {
    const [first, ...others] = await Promise.all(dialects.map(pagesOn));

    for (const other of others) assert.deepEqual(other, first);
    const all = first!.all!.flat();
    assert.equal(first!.all!.length, Math.ceil(SUBTASKS / PAGE));
    assert.equal(all.length, SUBTASKS);
    const ids = all.map((item) => Number(item.split(':')[0]));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    const byState = (s: string) => all.filter((item) => item.endsWith(`:${s}`));
    for (const state of FILTERS.filter((s) => s !== undefined)) assert.deepEqual(first![state]!.flat(), byState(state));
    assert.deepEqual(first!.succeeded, [[]]);
    for (const state of ['queued', 'dispatched', 'running', 'cancelled']) assert.ok(byState(state).length > PAGE, `${state} spans pages`);
  });
});
