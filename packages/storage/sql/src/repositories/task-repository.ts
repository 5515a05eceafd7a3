import type { Kysely, Selectable } from 'kysely';
import { SUBTASK_STATES, type SubtaskState } from '@quarry/protocol';
import type { NewTaskRecord, PageRequest, SubtaskStateCounts, TaskRecord, TaskStore } from '@quarry/core';
import type { Database, TasksTable } from '../schema.js';
import { num, numOrNull, parseJson } from './row.js';

export class TaskRepository implements TaskStore {
  readonly #db: Kysely<Database>;
  readonly #lockOnRead: boolean;
  /**
   * @param options.lockOnRead `get` takes a row lock (`FOR UPDATE`). Set inside transactions on
   * databases where transactions run concurrently at READ COMMITTED: a transaction reads the task
   * before re-deriving its status from the subtasks, and the lock makes the next one wait and then
   * count with this one's subtask changes visible, so two nodes finishing the last two subtasks at
   * once cannot both store a stale status.
   */
  constructor(db: Kysely<Database>, options: { lockOnRead: boolean }) {
    this.#db = db;
    this.#lockOnRead = options.lockOnRead;
  }

  async insert(r: NewTaskRecord): Promise<number> {
    const row = await this.#db
      .insertInto('tasks')
      .values({
        kind: r.kind,
        name: r.name,
        source: r.source,
        paths: JSON.stringify(r.paths),
        created_by: r.createdBy,
        ttl_seconds: r.ttlSeconds,
        max_attempts: r.maxAttempts,
        expires_at: r.expiresAt,
        status: r.status,
        finished_at: r.finishedAt,
        created_at: r.createdAt,
        updated_at: r.updatedAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return num(row.id);
  }

  async get(id: number): Promise<TaskRecord | null> {
    let q = this.#db.selectFrom('tasks').selectAll().where('id', '=', id);
    if (this.#lockOnRead) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(filter: { status?: TaskRecord['status'] | undefined; kind?: TaskRecord['kind'] | undefined }, page: PageRequest<number>): Promise<TaskRecord[]> {
    let q = this.#db.selectFrom('tasks').selectAll();
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
    if (page.after !== undefined) q = q.where('id', '<', page.after);
    return (await q.orderBy('id', 'desc').limit(page.limit).execute()).map(toRecord);
  }

  async setStatus(id: number, status: TaskRecord['status'], finishedAt: number | null, updatedAt: number): Promise<void> {
    await this.#db.updateTable('tasks').set({ status, finished_at: finishedAt, updated_at: updatedAt }).where('id', '=', id).execute();
  }

  async countSubtasks(taskIds: readonly number[]): Promise<Map<number, SubtaskStateCounts>> {
    const out = new Map<number, SubtaskStateCounts>();
    for (const id of taskIds) out.set(id, emptyCounts());
    if (taskIds.length === 0) return out;
    const rows = await this.#db
      .selectFrom('subtasks')
      .select((eb) => ['task_id', 'state', eb.fn.countAll<number | string>().as('n')])
      .where('task_id', 'in', [...taskIds])
      .groupBy(['task_id', 'state'])
      .execute();
    for (const row of rows) {
      const counts = out.get(num(row.task_id));
      if (counts) counts[row.state as SubtaskState] = num(row.n);
    }
    return out;
  }
}

function emptyCounts(): SubtaskStateCounts {
  return Object.fromEntries(SUBTASK_STATES.map((s) => [s, 0])) as SubtaskStateCounts;
}

function toRecord(r: Selectable<TasksTable>): TaskRecord {
  return {
    id: num(r.id),
    kind: r.kind as TaskRecord['kind'],
    name: r.name,
    source: r.source as TaskRecord['source'],
    paths: parseJson<string[]>(r.paths),
    createdBy: r.created_by,
    ttlSeconds: num(r.ttl_seconds),
    maxAttempts: num(r.max_attempts),
    expiresAt: num(r.expires_at),
    status: r.status as TaskRecord['status'],
    finishedAt: numOrNull(r.finished_at),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}
