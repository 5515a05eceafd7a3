import type { Kysely, Selectable, Updateable } from 'kysely';
import type { FileOpState } from '@quarry/protocol';
import type {
  FileOpPatch,
  FileOpRecord,
  FileOpStore,
  NewFileOpRecord,
  PageRequest,
  RetrievedFileFilter,
  RetrievedFileRecord,
} from '@quarry/core';
import type { SqlCapabilities } from '../dialect-adapter.js';
import type { Database, FileOpsTable } from '../schema.js';
import { insertRows, type ColumnTypes } from './bulk-insert.js';
import { num, numOrNull } from './row.js';

const FILE_OP_INSERT_TYPES: ColumnTypes<'file_ops'> = {
  subtask_id: 'bigint',
  task_id: 'bigint',
  endpoint_id: 'text',
  path: 'text',
  state: 'text',
  bytes_done: 'bigint',
};

const COLUMNS: Record<keyof FileOpPatch, keyof FileOpsTable> = {
  state: 'state',
  failureCode: 'failure_code',
  failureMessage: 'failure_message',
  size: 'size',
  mtime: 'mtime',
  bytesDone: 'bytes_done',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  uploadId: 'upload_id',
  contentSha256: 'content_sha256',
  retrievedAt: 'retrieved_at',
};

export class FileOpRepository implements FileOpStore {
  readonly #db: Kysely<Database>;
  readonly #caps: SqlCapabilities;
  constructor(db: Kysely<Database>, caps: SqlCapabilities) {
    this.#db = db;
    this.#caps = caps;
  }

  async insertMany(records: readonly NewFileOpRecord[]): Promise<void> {
    const rows = records.map((r) => ({ subtask_id: r.subtaskId, task_id: r.taskId, endpoint_id: r.endpointId, path: r.path, state: 'pending', bytes_done: 0 }));
    await insertRows(this.#db, this.#caps, 'file_ops', FILE_OP_INSERT_TYPES, rows, { returnIds: false });
  }

  async get(id: number): Promise<FileOpRecord | null> {
    const row = await this.#db.selectFrom('file_ops').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async listBySubtasks(subtaskIds: readonly number[]): Promise<FileOpRecord[]> {
    if (subtaskIds.length === 0) return [];
    const rows = await this.#db.selectFrom('file_ops').selectAll().where('subtask_id', 'in', [...subtaskIds]).orderBy('id').execute();
    return rows.map(toRecord);
  }

  async update(id: number, expectStates: readonly FileOpState[] | null, patch: FileOpPatch): Promise<boolean> {
    let q = this.#db.updateTable('file_ops').set(toValues(patch)).where('id', '=', id);
    if (expectStates) q = q.where('state', 'in', [...expectStates]);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  updateBySubtask(subtaskId: number, from: readonly FileOpState[], patch: FileOpPatch): Promise<number> {
    return this.updateBySubtasks([subtaskId], from, patch);
  }

  async updateBySubtasks(subtaskIds: readonly number[], from: readonly FileOpState[], patch: FileOpPatch): Promise<number> {
    if (from.length === 0) return 0;
    let moved = 0;
    // Batches keep the statement under SQLite's bound-parameter limit.
    for (let i = 0; i < subtaskIds.length; i += 500) {
      const r = await this.#db
        .updateTable('file_ops')
        .set(toValues(patch))
        .where('subtask_id', 'in', subtaskIds.slice(i, i + 500))
        .where('state', 'in', [...from])
        .executeTakeFirst();
      moved += Number(r.numUpdatedRows);
    }
    return moved;
  }

  async addBytesDone(id: number, delta: number): Promise<void> {
    await this.#db
      .updateTable('file_ops')
      .set((eb) => ({ bytes_done: eb('bytes_done', '+', delta) }))
      .where('id', '=', id)
      .execute();
  }

  async sumBytes(subtaskId: number): Promise<{ total: number | null; done: number }> {
    const row = await this.#db
      .selectFrom('file_ops')
      .select((eb) => [eb.fn.sum<number | string | null>('size').as('total'), eb.fn.sum<number | string | null>('bytes_done').as('done')])
      .where('subtask_id', '=', subtaskId)
      .executeTakeFirstOrThrow();
    return { total: numOrNull(row.total), done: num(row.done ?? 0) };
  }

  async listRetrieved(filter: RetrievedFileFilter, page: PageRequest<number>): Promise<RetrievedFileRecord[]> {
    let q = this.#retrieved();
    if (filter.taskId !== undefined) q = q.where('file_ops.task_id', '=', filter.taskId);
    if (filter.endpointId !== undefined) q = q.where('file_ops.endpoint_id', '=', filter.endpointId);
    if (filter.md5 !== undefined) q = q.where('file_ops.md5', '=', filter.md5);
    if (filter.sha1 !== undefined) q = q.where('file_ops.sha1', '=', filter.sha1);
    if (filter.sha256 !== undefined) q = q.where('file_ops.sha256', '=', filter.sha256);
    if (page.after !== undefined) q = q.where('file_ops.id', '<', page.after);
    const rows = await q.orderBy('file_ops.id', 'desc').limit(page.limit).execute();
    return rows.map((r) => ({ ...toRecord(r), hostname: r.hostname }));
  }

  async getRetrieved(id: number): Promise<RetrievedFileRecord | null> {
    const row = await this.#retrieved().where('file_ops.id', '=', id).executeTakeFirst();
    return row ? { ...toRecord(row), hostname: row.hostname } : null;
  }

  #retrieved() {
    return this.#db
      .selectFrom('file_ops')
      .innerJoin('endpoints', 'endpoints.id', 'file_ops.endpoint_id')
      .selectAll('file_ops')
      .select('endpoints.hostname')
      .where('file_ops.state', '=', 'succeeded');
  }
}

function toValues(patch: FileOpPatch): Updateable<FileOpsTable> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) values[COLUMNS[key as keyof FileOpPatch]] = value;
  }
  return values as Updateable<FileOpsTable>;
}

function toRecord(r: Selectable<FileOpsTable>): FileOpRecord {
  return {
    id: num(r.id),
    subtaskId: num(r.subtask_id),
    taskId: num(r.task_id),
    endpointId: r.endpoint_id,
    path: r.path,
    state: r.state as FileOpState,
    failureCode: r.failure_code as FileOpRecord['failureCode'],
    failureMessage: r.failure_message,
    size: numOrNull(r.size),
    mtime: numOrNull(r.mtime),
    bytesDone: num(r.bytes_done),
    md5: r.md5,
    sha1: r.sha1,
    sha256: r.sha256,
    uploadId: r.upload_id,
    contentSha256: r.content_sha256,
    retrievedAt: numOrNull(r.retrieved_at),
  };
}
