import type { Kysely, Selectable, Updateable } from 'kysely';
import type { SubtaskState } from '@quarry/protocol';
import type {
  NewSubtaskRecord,
  PageRequest,
  SubtaskExpectation,
  SubtaskPatch,
  SubtaskRecord,
  SubtaskStore,
} from '@quarry/core';
import type { SqlCapabilities } from '../dialect-adapter.js';
import type { Database, SubtasksTable } from '../schema.js';
import { insertRows, type ColumnTypes } from './bulk-insert.js';
import { num, numOrNull } from './row.js';

const SUBTASK_COLUMN_TYPES: ColumnTypes<'subtasks'> = {
  task_id: 'bigint',
  endpoint_id: 'text',
  state: 'text',
  attempt: 'integer',
  max_attempts: 'integer',
  failure_code: 'text',
  failure_message: 'text',
  bytes_total: 'bigint',
  bytes_done: 'bigint',
  dispatched_at: 'bigint',
  started_at: 'bigint',
  finished_at: 'bigint',
  deadline_at: 'bigint',
  next_attempt_at: 'bigint',
  created_at: 'bigint',
  updated_at: 'bigint',
};

/** Fields of a patch and their columns. */
const COLUMNS: Record<keyof SubtaskPatch, keyof SubtasksTable> = {
  state: 'state',
  attempt: 'attempt',
  maxAttempts: 'max_attempts',
  failureCode: 'failure_code',
  failureMessage: 'failure_message',
  bytesTotal: 'bytes_total',
  bytesDone: 'bytes_done',
  dispatchedAt: 'dispatched_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  deadlineAt: 'deadline_at',
  nextAttemptAt: 'next_attempt_at',
  updatedAt: 'updated_at',
};

export class SubtaskRepository implements SubtaskStore {
  readonly #db: Kysely<Database>;
  readonly #caps: SqlCapabilities;
  constructor(db: Kysely<Database>, caps: SqlCapabilities) {
    this.#db = db;
    this.#caps = caps;
  }

  async insertMany(records: readonly NewSubtaskRecord[]): Promise<number[]> {
    if (records.length === 0) return [];
    const all = records.map(toRow);
    // Columns null in every row are left to their default (null): new subtasks leave half of
    // them unset, and every bound value costs building and sending the statement.
    const keys = (Object.keys(all[0]!) as Array<keyof ReturnType<typeof toRow>>).filter((k) => all.some((r) => r[k] !== null));
    const rows = all.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));
    return insertRows(this.#db, this.#caps, 'subtasks', SUBTASK_COLUMN_TYPES, rows, { returnIds: true });
  }

  async get(id: number): Promise<SubtaskRecord | null> {
    const row = await this.#db.selectFrom('subtasks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async listByTask(taskId: number, filter: { state?: SubtaskState | undefined }, page: PageRequest<number>): Promise<SubtaskRecord[]> {
    let q = this.#db.selectFrom('subtasks').selectAll().where('task_id', '=', taskId);
    if (filter.state !== undefined) q = q.where('state', '=', filter.state);
    if (page.after !== undefined) q = q.where('id', '>', page.after);
    return (await q.orderBy('id').limit(page.limit).execute()).map(toRecord);
  }

  async listByTaskInStates(taskId: number, states: readonly SubtaskState[]): Promise<SubtaskRecord[]> {
    if (states.length === 0) return [];
    const rows = await this.#db.selectFrom('subtasks').selectAll().where('task_id', '=', taskId).where('state', 'in', [...states]).orderBy('id').execute();
    return rows.map(toRecord);
  }

  async update(id: number, expect: SubtaskExpectation, patch: SubtaskPatch): Promise<boolean> {
    let q = this.#db.updateTable('subtasks').set(patchValues(patch)).where('id', '=', id);
    if (typeof expect.state === 'string') q = q.where('state', '=', expect.state);
    else if (expect.state !== undefined) q = q.where('state', 'in', [...expect.state]);
    if (expect.attempt !== undefined) q = q.where('attempt', '=', expect.attempt);
    if (expect.nextAttemptAt === null) q = q.where('next_attempt_at', 'is', null);
    else if (expect.nextAttemptAt !== undefined) q = q.where('next_attempt_at', '=', expect.nextAttemptAt);
    if (expect.deadlineAtOrBefore !== undefined) q = q.where('deadline_at', '<=', expect.deadlineAtOrBefore);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async updateMany(ids: readonly number[], expect: SubtaskExpectation, patch: SubtaskPatch): Promise<number[]> {
    const moved: number[] = [];
    const values = patchValues(patch);
    // Batches keep the statement under SQLite's bound-parameter limit.
    for (let i = 0; i < ids.length; i += 500) {
      let q = this.#db.updateTable('subtasks').set(values).where('id', 'in', ids.slice(i, i + 500));
      if (typeof expect.state === 'string') q = q.where('state', '=', expect.state);
      else if (expect.state !== undefined) q = q.where('state', 'in', [...expect.state]);
      if (expect.attempt !== undefined) q = q.where('attempt', '=', expect.attempt);
      if (expect.nextAttemptAt === null) q = q.where('next_attempt_at', 'is', null);
      else if (expect.nextAttemptAt !== undefined) q = q.where('next_attempt_at', '=', expect.nextAttemptAt);
      if (expect.deadlineAtOrBefore !== undefined) q = q.where('deadline_at', '<=', expect.deadlineAtOrBefore);
      for (const row of await q.returning('id').execute()) moved.push(num(row.id));
    }
    return moved;
  }

  async listClaimable(endpointId: string, now: number, limit: number): Promise<SubtaskRecord[]> {
    const q = this.#db
      .selectFrom('subtasks')
      .innerJoin('tasks', 'tasks.id', 'subtasks.task_id')
      .selectAll('subtasks')
      .where('subtasks.endpoint_id', '=', endpointId)
      .where('subtasks.state', '=', 'queued')
      .where((eb) => eb.or([eb('subtasks.next_attempt_at', 'is', null), eb('subtasks.next_attempt_at', '<=', now)]))
      .where('tasks.expires_at', '>', now)
      .orderBy('subtasks.id')
      .limit(limit);
    // The claim's transaction keeps these rows locked until it commits, so a claim on another node
    // skips them instead of dispatching them twice. With one writer (SQLite) the enclosing
    // transaction already serialises claims.
    return (await this.#skippingLocked(q, 'subtasks').execute()).map(toRecord);
  }

  async listClaimableForEndpoints(endpointIds: readonly string[], now: number, limit: number): Promise<SubtaskRecord[]> {
    if (endpointIds.length === 0) return [];
    const q = this.#db
      .selectFrom('subtasks')
      .innerJoin('tasks', 'tasks.id', 'subtasks.task_id')
      .selectAll('subtasks')
      .where('subtasks.endpoint_id', 'in', [...endpointIds])
      .where('subtasks.state', '=', 'queued')
      .where((eb) => eb.or([eb('subtasks.next_attempt_at', 'is', null), eb('subtasks.next_attempt_at', '<=', now)]))
      .where('tasks.expires_at', '>', now)
      .orderBy('subtasks.id')
      .limit(limit);
    // Locked like listClaimable: a batch on another node skips these rows.
    return (await this.#skippingLocked(q, 'subtasks').execute()).map(toRecord);
  }

  async listEndpointsWithClaimable(endpointIds: readonly string[], now: number): Promise<string[]> {
    if (endpointIds.length === 0) return [];
    const rows = await this.#db
      .selectFrom('subtasks')
      .innerJoin('tasks', 'tasks.id', 'subtasks.task_id')
      .select('subtasks.endpoint_id')
      .distinct()
      .where('subtasks.endpoint_id', 'in', [...endpointIds])
      .where('subtasks.state', '=', 'queued')
      .where((eb) => eb.or([eb('subtasks.next_attempt_at', 'is', null), eb('subtasks.next_attempt_at', '<=', now)]))
      .where('tasks.expires_at', '>', now)
      .execute();
    return rows.map((r) => r.endpoint_id);
  }

  async listByEndpointInStates(endpointId: string, states: readonly SubtaskState[], limit: number): Promise<SubtaskRecord[]> {
    if (states.length === 0) return [];
    const rows = await this.#db
      .selectFrom('subtasks')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('state', 'in', [...states])
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toRecord);
  }

  async listExpiredQueued(now: number, limit: number): Promise<SubtaskRecord[]> {
    const q = this.#db
      .selectFrom('subtasks')
      .innerJoin('tasks', 'tasks.id', 'subtasks.task_id')
      .selectAll('subtasks')
      .where('subtasks.state', '=', 'queued')
      .where('tasks.expires_at', '<=', now)
      .orderBy('subtasks.id')
      .limit(limit);
    return (await this.#skippingLocked(q, 'subtasks').execute()).map(toRecord);
  }

  async listOverdue(states: readonly SubtaskState[], now: number, limit: number): Promise<SubtaskRecord[]> {
    if (states.length === 0) return [];
    const q = this.#db
      .selectFrom('subtasks')
      .selectAll()
      .where('deadline_at', '<=', now)
      .where('state', 'in', [...states])
      .orderBy('deadline_at')
      .orderBy('id')
      .limit(limit);
    return (await this.#skippingLocked(q, 'subtasks').execute()).map(toRecord);
  }

  async listDueRetries(now: number, limit: number): Promise<SubtaskRecord[]> {
    const q = this.#db
      .selectFrom('subtasks')
      .selectAll()
      .where('state', '=', 'queued')
      .where('next_attempt_at', 'is not', null)
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit);
    return (await this.#skippingLocked(q, 'subtasks').execute()).map(toRecord);
  }

  /**
   * Engine tick scans: rows that a transaction on another node is moving right now are skipped
   * rather than waited for (that node handles them). Outside a transaction the lock lasts only for
   * the statement; the conditional update of each move still decides who wins.
   */
  #skippingLocked<Q extends { forUpdate(of: 'subtasks'): Q; skipLocked(): Q }>(q: Q, table: 'subtasks'): Q {
    return this.#caps.supportsSkipLocked ? q.forUpdate(table).skipLocked() : q;
  }
}

function toRow(r: NewSubtaskRecord) {
  return {
    task_id: r.taskId,
    endpoint_id: r.endpointId,
    state: r.state,
    attempt: r.attempt,
    max_attempts: r.maxAttempts,
    failure_code: r.failureCode,
    failure_message: r.failureMessage,
    bytes_total: r.bytesTotal,
    bytes_done: r.bytesDone,
    dispatched_at: r.dispatchedAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    deadline_at: r.deadlineAt,
    next_attempt_at: r.nextAttemptAt,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

function toRecord(r: Selectable<SubtasksTable>): SubtaskRecord {
  return {
    id: num(r.id),
    taskId: num(r.task_id),
    endpointId: r.endpoint_id,
    state: r.state as SubtaskState,
    attempt: num(r.attempt),
    maxAttempts: num(r.max_attempts),
    failureCode: r.failure_code as SubtaskRecord['failureCode'],
    failureMessage: r.failure_message,
    bytesTotal: numOrNull(r.bytes_total),
    bytesDone: num(r.bytes_done),
    dispatchedAt: numOrNull(r.dispatched_at),
    startedAt: numOrNull(r.started_at),
    finishedAt: numOrNull(r.finished_at),
    deadlineAt: numOrNull(r.deadline_at),
    nextAttemptAt: numOrNull(r.next_attempt_at),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

function patchValues(patch: SubtaskPatch): Updateable<SubtasksTable> {
  const values: Updateable<SubtasksTable> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    (values as Record<string, unknown>)[COLUMNS[key as keyof SubtaskPatch]] = value;
  }
  return values;
}
