import { TERMINAL_SUBTASK_STATES } from '@quarry/protocol';
import type { Kysely, Selectable } from 'kysely';
import type { ContentRecord, PageRequest, UploadChunkRecord, UploadRecord, UploadState, UploadStore } from '@quarry/core';
import type { ContentsTable, Database, UploadsTable } from '../schema.js';
import { num, numOrNull } from './row.js';

/**
 * How `uploads.sha256` stores "not declared yet" (UploadRecord.sha256 null). The column predates
 * that case and is NOT NULL; on SQLite lifting that means rebuilding the table, and no real
 * sha256 is empty.
 */
const UNDECLARED_SHA256 = '';

export class UploadRepository implements UploadStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(r: UploadRecord): Promise<void> {
    await this.#db
      .insertInto('uploads')
      .values({
        id: r.id,
        file_op_id: r.fileOpId,
        size: r.size,
        sha256: r.sha256 ?? UNDECLARED_SHA256,
        mtime_ms: r.mtimeMs,
        chunk_size: r.chunkSize,
        chunk_count: r.chunkCount,
        wrapped_key: r.wrappedKey,
        state: r.state,
        created_at: r.createdAt,
      })
      .execute();
  }

  async get(id: string): Promise<UploadRecord | null> {
    const row = await this.#db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUpload(row) : null;
  }

  async declareSha256(id: string, sha256: string): Promise<boolean> {
    const r = await this.#db
      .updateTable('uploads')
      .set({ sha256 })
      .where('id', '=', id)
      .where('state', '=', 'open')
      .where('sha256', '=', UNDECLARED_SHA256)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async hasContentOfSize(size: number): Promise<boolean> {
    return (await this.#db.selectFrom('contents').select('sha256').where('size', '=', size).limit(1).executeTakeFirst()) !== undefined;
  }

  async setState(id: string, from: UploadState, to: UploadState): Promise<boolean> {
    const r = await this.#db.updateTable('uploads').set({ state: to }).where('id', '=', id).where('state', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async listChunks(uploadId: string): Promise<UploadChunkRecord[]> {
    const rows = await this.#db.selectFrom('upload_chunks').selectAll().where('upload_id', '=', uploadId).orderBy('idx').execute();
    return rows.map((r) => ({ uploadId: r.upload_id, idx: num(r.idx), size: num(r.size), sha256: r.sha256 }));
  }

  async getChunk(uploadId: string, idx: number): Promise<UploadChunkRecord | null> {
    const r = await this.#db.selectFrom('upload_chunks').selectAll().where('upload_id', '=', uploadId).where('idx', '=', idx).executeTakeFirst();
    return r ? { uploadId: r.upload_id, idx: num(r.idx), size: num(r.size), sha256: r.sha256 } : null;
  }

  async putChunk(r: UploadChunkRecord): Promise<void> {
    await this.#db
      .insertInto('upload_chunks')
      .values({ upload_id: r.uploadId, idx: r.idx, size: r.size, sha256: r.sha256 })
      .onConflict((oc) => oc.columns(['upload_id', 'idx']).doUpdateSet({ size: r.size, sha256: r.sha256 }))
      .execute();
  }

  async getContent(sha256: string): Promise<ContentRecord | null> {
    const row = await this.#db.selectFrom('contents').selectAll().where('sha256', '=', sha256).executeTakeFirst();
    return row ? toContent(row) : null;
  }

  async insertContent(r: ContentRecord): Promise<boolean> {
    const result = await this.#db
      .insertInto('contents')
      .values({
        sha256: r.sha256,
        md5: r.md5,
        sha1: r.sha1,
        size: r.size,
        upload_id: r.uploadId,
        wrapped_key: r.wrappedKey,
        chunk_size: r.chunkSize,
        chunk_count: r.chunkCount,
        created_at: r.createdAt,
      })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async listOpenBefore(before: number, page: PageRequest<string>): Promise<UploadRecord[]> {
    let q = this.#db.selectFrom('uploads').selectAll().where('state', '=', 'open').where('created_at', '<', before);
    if (page.after !== undefined) q = q.where('id', '>', page.after);
    return (await q.orderBy('id').limit(page.limit).execute()).map(toUpload);
  }

  async listAbandoned(finishedBefore: number, limit: number): Promise<UploadRecord[]> {
    const rows = await this.#db
      .selectFrom('uploads')
      .innerJoin('file_ops', 'file_ops.id', 'uploads.file_op_id')
      .innerJoin('subtasks', 'subtasks.id', 'file_ops.subtask_id')
      .selectAll('uploads')
      .where('uploads.state', '=', 'open')
      .where('subtasks.state', 'in', [...TERMINAL_SUBTASK_STATES])
      .where('subtasks.finished_at', '<', finishedBefore)
      .orderBy('uploads.created_at')
      .limit(limit)
      .execute();
    return rows.map(toUpload);
  }
}

function toUpload(r: Selectable<UploadsTable>): UploadRecord {
  return {
    id: r.id,
    fileOpId: num(r.file_op_id),
    size: num(r.size),
    sha256: r.sha256 === UNDECLARED_SHA256 ? null : r.sha256,
    mtimeMs: numOrNull(r.mtime_ms),
    chunkSize: num(r.chunk_size),
    chunkCount: num(r.chunk_count),
    wrappedKey: r.wrapped_key,
    state: r.state as UploadState,
    createdAt: num(r.created_at),
  };
}

function toContent(r: Selectable<ContentsTable>): ContentRecord {
  return {
    sha256: r.sha256,
    md5: r.md5,
    sha1: r.sha1,
    size: num(r.size),
    uploadId: r.upload_id,
    wrappedKey: r.wrapped_key,
    chunkSize: num(r.chunk_size),
    chunkCount: num(r.chunk_count),
    createdAt: num(r.created_at),
  };
}
