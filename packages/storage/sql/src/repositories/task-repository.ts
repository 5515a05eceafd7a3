import { sql, type Kysely, type Selectable } from 'kysely';
import { SUBTASK_STATES, type SubtaskState } from '@quarry/protocol';
import type { NewTaskRecord, PageRequest, SubtaskCountDelta, SubtaskStateCounts, TaskCounters, TaskRecord, TaskStore } from '@quarry/core';
import type { Database, TasksTable } from '../schema.js';
import { num, numOrNull, parseJson } from './row.js';

export class TaskRepository implements TaskStore {
  readonly #db: Kysely<Database>;
  readonly #lockOnRead: boolean;
  readonly #inTransaction: boolean;
  /**
   * @param options.lockOnRead `get` takes a row lock (`FOR UPDATE`). Set inside transactions on
   * databases where transactions run concurrently at READ COMMITTED: whoever reads the task to
   * change it makes the next one wait and then see this one's changes. (Status re-derivation also
   * relies on `adjustCounts`, whose UPDATE locks the row on every database.)
   */
  constructor(db: Kysely<Database>, options: { lockOnRead: boolean; inTransaction?: boolean }) {
    this.#db = db;
    this.#lockOnRead = options.lockOnRead;
    this.#inTransaction = options.inTransaction ?? false;
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

  async getKind(id: number): Promise<TaskRecord['kind'] | null> {
    const row = await this.#db.selectFrom('tasks').select('kind').where('id', '=', id).executeTakeFirst();
    return row ? (row.kind as TaskRecord['kind']) : null;
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
    // Changes recorded but not yet folded into the task rows (usually none, or a few for a moment).
    const pending = await this.#db
      .selectFrom('task_count_deltas')
      .select((eb) => ['task_id', ...COUNT_COLUMNS.map((c) => eb.fn.sum<number | string>(c).as(c))])
      .where('task_id', 'in', [...taskIds])
      .groupBy('task_id')
      .execute();
    for (const row of pending) {
      const counts = out.get(num(row.task_id));
      if (!counts) continue;
      for (const state of SUBTASK_STATES) counts[state] += num(row[countColumn(state)] ?? 0);
    }
    return out;
  }

  async adjustCounts(taskId: number, delta: SubtaskCountDelta, filesSucceededDelta = 0): Promise<TaskCounters | null> {
    return (await this.#fold(taskId, delta, filesSucceededDelta))?.counters ?? null;
  }

  foldCounts(taskId: number): Promise<{ counters: TaskCounters; folded: number; task: Pick<TaskRecord, 'status' | 'finishedAt'> } | null> {
    return this.#fold(taskId, {}, 0);
  }

  async recordCountDelta(taskId: number, delta: SubtaskCountDelta, filesSucceededDelta: number, at: number): Promise<void> {
    const values: Record<string, number> = {};
    for (const state of SUBTASK_STATES) {
      const d = delta[state] ?? 0;
      if (d !== 0) values[countColumn(state)] = d;
    }
    if (filesSucceededDelta !== 0) values.files_succeeded = filesSucceededDelta;
    if (Object.keys(values).length === 0) return;
    await this.#db
      .insertInto('task_count_deltas')
      .values({ ...values, task_id: taskId, created_at: at })
      .execute();
  }

  async listWithPendingCounts(before: number, limit: number): Promise<number[]> {
    const rows = await this.#db
      .selectFrom('task_count_deltas')
      .select('task_id')
      .where('created_at', '<=', before)
      .groupBy('task_id')
      .orderBy('task_id')
      .limit(limit)
      .execute();
    return rows.map((r) => num(r.task_id));
  }

  /**
   * Locks the task row first, then takes its pending rows: every path that touches both does so in
   * this order, so two folds (or a fold and a cancel) cannot deadlock. DELETE … RETURNING hands
   * each pending row to exactly one fold, even when two nodes fold the same task at once.
   */
  async #fold(
    taskId: number,
    delta: SubtaskCountDelta,
    filesSucceededDelta: number,
  ): Promise<{ counters: TaskCounters; folded: number; task: Pick<TaskRecord, 'status' | 'finishedAt'> } | null> {
    if (!this.#inTransaction) return this.#db.transaction().execute((trx) => new TaskRepository(trx, { lockOnRead: false, inTransaction: true }).#fold(taskId, delta, filesSucceededDelta));
    const locked = await this.#db
      .updateTable('tasks')
      .set({ count_queued: sql`count_queued` })
      .where('id', '=', taskId)
      .returning([...COUNT_COLUMNS, 'files_succeeded', 'status', 'finished_at'])
      .executeTakeFirst();
    if (!locked) return null;
    const pending = await this.#db
      .deleteFrom('task_count_deltas')
      .where('task_id', '=', taskId)
      .returning([...COUNT_COLUMNS, 'files_succeeded'])
      .execute();
    const total: SubtaskCountDelta = { ...delta };
    let files = filesSucceededDelta;
    for (const row of pending) {
      for (const state of SUBTASK_STATES) total[state] = (total[state] ?? 0) + num(row[countColumn(state)]);
      files += num(row.files_succeeded);
    }
    const set: Record<string, unknown> = {};
    for (const state of SUBTASK_STATES) {
      const d = total[state] ?? 0;
      if (d !== 0) set[countColumn(state)] = sql`${sql.ref(countColumn(state))} + ${d}`;
    }
    if (files !== 0) set.files_succeeded = sql`files_succeeded + ${files}`;
    // Nothing to add: the counters read when locking are current (the row is locked since).
    const row =
      Object.keys(set).length === 0
        ? locked
        : await this.#db
            .updateTable('tasks')
            .set(set)
            .where('id', '=', taskId)
            .returning([...COUNT_COLUMNS, 'files_succeeded'])
            .executeTakeFirst();
    if (!row) return null;
    return {
      counters: { counts: countsOf(row), filesSucceeded: num(row.files_succeeded) },
      folded: pending.length,
      task: { status: locked.status as TaskRecord['status'], finishedAt: numOrNull(locked.finished_at) },
    };
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
