import { sql, type Kysely, type Selectable } from 'kysely';
import { SUBTASK_STATES, type SubtaskState } from '@quarry/protocol';
import type { NewTaskRecord, PageRequest, SubtaskCountDelta, SubtaskStateCounts, TaskCounters, TaskRecord, TaskStore } from '@quarry/core';
import type { Database, TasksTable } from '../schema.js';
import { num, numOrNull, parseJson } from './row.js';

export class TaskRepository implements TaskStore {
  readonly #db: Kysely<Database>;
  readonly #lockOnRead: boolean;
  /**
   * @param options.lockOnRead `get` takes a row lock (`FOR UPDATE`). Set inside transactions on
   * databases where transactions run concurrently at READ COMMITTED: whoever reads the task to
   * change it makes the next one wait and then see this one's changes. (Status re-derivation also
   * relies on `adjustCounts`, whose UPDATE locks the row on every database.)
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
      .selectFrom('tasks')
      .select(['id', ...COUNT_COLUMNS])
      .where('id', 'in', [...taskIds])
      .execute();
    for (const row of rows) out.set(num(row.id), countsOf(row));
    return out;
  }

  async adjustCounts(taskId: number, delta: SubtaskCountDelta, filesSucceededDelta = 0): Promise<TaskCounters | null> {
    const set: Record<string, unknown> = {};
    for (const state of SUBTASK_STATES) {
      const d = delta[state] ?? 0;
      if (d !== 0) set[countColumn(state)] = sql`${sql.ref(countColumn(state))} + ${d}`;
    }
    if (filesSucceededDelta !== 0) set.files_succeeded = sql`files_succeeded + ${filesSucceededDelta}`;
    // A no-op assignment still takes the row lock, so an empty delta locks and reads the counters.
    if (Object.keys(set).length === 0) set.count_queued = sql`count_queued`;
    const row = await this.#db
      .updateTable('tasks')
      .set(set)
      .where('id', '=', taskId)
      .returning([...COUNT_COLUMNS, 'files_succeeded'])
      .executeTakeFirst();
    return row ? { counts: countsOf(row), filesSucceeded: num(row.files_succeeded) } : null;
  }
}

type CountColumn = `count_${SubtaskState}`;

function countColumn(state: SubtaskState): CountColumn {
  return `count_${state}`;
}

const COUNT_COLUMNS = SUBTASK_STATES.map(countColumn);

function countsOf(row: Record<CountColumn, number | string>): SubtaskStateCounts {
  return Object.fromEntries(SUBTASK_STATES.map((s) => [s, num(row[countColumn(s)])])) as SubtaskStateCounts;
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
