import type { Kysely } from 'kysely';
import type { SweepBudgetName, SweepCounters, SweepCriteria } from '@quarry/protocol';
import type { PageRequest, SweepProgressRecord, SweepRecord, SweepResultFilter, SweepResultRecord, SweepStore } from '@quarry/core';
import type { Database } from '../schema.js';
import { hashEquals } from './element-hash-key.js';
import { lowerLike, toElement } from './element-repository.js';
import { bool, num, parseJson } from './row.js';

/** Links per statement (4 bound values each). */
const LINK_BATCH = 1000;

const ZERO: SweepCounters = {
  filesListed: 0,
  filesMatched: 0,
  bytesHashed: 0,
  skippedUnreadable: 0,
  skippedLoops: 0,
  skippedDenied: 0,
  rootsMissing: 0,
  durationMs: 0,
};

export class SweepRepository implements SweepStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(r: SweepRecord): Promise<void> {
    await this.#db.insertInto('sweeps').values({ task_id: r.taskId, criteria: JSON.stringify(r.criteria), created_at: r.createdAt }).execute();
  }

  async get(taskId: number): Promise<SweepRecord | null> {
    const row = await this.#db.selectFrom('sweeps').selectAll().where('task_id', '=', taskId).executeTakeFirst();
    return row ? { taskId: num(row.task_id), criteria: parseJson<SweepCriteria>(row.criteria), createdAt: num(row.created_at) } : null;
  }

  async resetProgress(subtaskId: number, taskId: number, attempt: number, now: number): Promise<void> {
    // Results of earlier attempts stay linked, so their count carries over.
    const fresh = { attempt, next_seq: 0, counters: JSON.stringify(ZERO), done: 0, truncated: 0, budget_hit: null, updated_at: now };
    await this.#db
      .insertInto('sweep_progress')
      .values({ subtask_id: subtaskId, task_id: taskId, results: 0, ...fresh })
      .onConflict((oc) => oc.column('subtask_id').doUpdateSet(fresh))
      .execute();
  }

  async getProgress(subtaskIds: readonly number[]): Promise<Map<number, SweepProgressRecord>> {
    const out = new Map<number, SweepProgressRecord>();
    if (subtaskIds.length === 0) return out;
    const rows = await this.#db.selectFrom('sweep_progress').selectAll().where('subtask_id', 'in', [...subtaskIds]).execute();
    for (const r of rows) {
      out.set(num(r.subtask_id), {
        subtaskId: num(r.subtask_id),
        taskId: num(r.task_id),
        attempt: num(r.attempt),
        nextSeq: num(r.next_seq),
        counters: { ...ZERO, ...parseJson<Partial<SweepCounters>>(r.counters) },
        done: bool(r.done),
        truncated: bool(r.truncated),
        budgetHit: r.budget_hit as SweepBudgetName | null,
        results: num(r.results),
        updatedAt: num(r.updated_at),
      });
    }
    return out;
  }

  async advanceProgress(
    subtaskId: number,
    attempt: number,
    seq: number,
    patch: Partial<Pick<SweepProgressRecord, 'counters' | 'done' | 'truncated' | 'budgetHit'>> & { updatedAt: number },
  ): Promise<boolean> {
    const r = await this.#db
      .updateTable('sweep_progress')
      .set({
        next_seq: seq + 1,
        updated_at: patch.updatedAt,
        ...(patch.counters ? { counters: JSON.stringify(patch.counters) } : {}),
        ...(patch.done !== undefined ? { done: patch.done ? 1 : 0 } : {}),
        ...(patch.truncated !== undefined ? { truncated: patch.truncated ? 1 : 0 } : {}),
        ...(patch.budgetHit !== undefined ? { budget_hit: patch.budgetHit } : {}),
      })
      .where('subtask_id', '=', subtaskId)
      .where('attempt', '=', attempt)
      .where('next_seq', '=', seq)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async linkResults(taskId: number, subtaskId: number, elementIds: readonly number[], seenAt: number): Promise<number> {
    let added = 0;
    for (let i = 0; i < elementIds.length; i += LINK_BATCH) {
      const r = await this.#db
        .insertInto('sweep_results')
        .values(elementIds.slice(i, i + LINK_BATCH).map((id) => ({ task_id: taskId, subtask_id: subtaskId, element_id: id, seen_at: seenAt })))
        .onConflict((oc) => oc.columns(['subtask_id', 'element_id']).doNothing())
        .executeTakeFirst();
      added += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    // Kept beside the progress so showing a sweep never counts its (possibly millions of) links.
    if (added > 0) {
      await this.#db
        .updateTable('sweep_progress')
        .set((eb) => ({ results: eb('results', '+', added) }))
        .where('subtask_id', '=', subtaskId)
        .execute();
    }
    return added;
  }

  async countResults(subtaskIds: readonly number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const [id, p] of await this.getProgress(subtaskIds)) out.set(id, p.results);
    return out;
  }

  async listResults(filter: SweepResultFilter, page: PageRequest<number>): Promise<SweepResultRecord[]> {
    let q = this.#db
      .selectFrom('sweep_results')
      .innerJoin('file_elements', 'file_elements.id', 'sweep_results.element_id')
      .innerJoin('endpoints', 'endpoints.id', 'file_elements.endpoint_id')
      .selectAll('file_elements')
      .select(['endpoints.hostname', 'sweep_results.id as result_id', 'sweep_results.task_id as result_task_id', 'sweep_results.subtask_id', 'sweep_results.seen_at'])
      .where('sweep_results.task_id', '=', filter.taskId);
    if (filter.endpointId !== undefined) q = q.where('file_elements.endpoint_id', '=', filter.endpointId);
    if (filter.nameLike !== undefined) q = q.where(lowerLike('file_elements.name', filter.nameLike));
    if (filter.md5 !== undefined) q = q.where(hashEquals('file_elements.md5', filter.md5));
    if (filter.sha1 !== undefined) q = q.where(hashEquals('file_elements.sha1', filter.sha1));
    if (filter.sha256 !== undefined) q = q.where(hashEquals('file_elements.sha256', filter.sha256));
    if (page.after !== undefined) q = q.where('sweep_results.id', '>', page.after);
    const rows = await q.orderBy('sweep_results.id').limit(page.limit).execute();
    return rows.map((r) => ({
      id: num(r.result_id),
      taskId: num(r.result_task_id),
      subtaskId: num(r.subtask_id),
      seenAt: num(r.seen_at),
      element: toElement(r),
    }));
  }
}
