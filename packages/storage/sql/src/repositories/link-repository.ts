import type { Kysely } from 'kysely';
import type { LinkRecord, LinkStore } from '@quarry/core';
import type { Database } from '../schema.js';
import { num } from './row.js';

export class LinkRepository implements LinkStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(r: LinkRecord): Promise<void> {
    await this.#db
      .insertInto('links')
      .values({
        id: r.id,
        file_op_id: r.fileOpId,
        format: r.format,
        password_sealed: r.passwordSealed,
        expires_at: r.expiresAt,
        created_by: r.createdBy,
        created_at: r.createdAt,
      })
      .execute();
  }

  async get(id: string): Promise<LinkRecord | null> {
    const r = await this.#db.selectFrom('links').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return null;
    return {
      id: r.id,
      fileOpId: num(r.file_op_id),
      format: r.format as LinkRecord['format'],
      passwordSealed: r.password_sealed,
      expiresAt: num(r.expires_at),
      createdBy: r.created_by,
      createdAt: num(r.created_at),
    };
  }
}
