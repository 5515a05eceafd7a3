import type { Kysely, Selectable } from 'kysely';
import type { EnrollTokenRecord, EnrollTokenStore, PageRequest } from '@quarry/core';
import type { Database, EnrollTokensTable } from '../schema.js';
import { num, numOrNull } from './row.js';

export class EnrollTokenRepository implements EnrollTokenStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(r: EnrollTokenRecord): Promise<void> {
    await this.#db
      .insertInto('enroll_tokens')
      .values({
        id: r.id,
        secret_hash: r.secretHash,
        description: r.description,
        max_uses: r.maxUses,
        uses: r.uses,
        expires_at: r.expiresAt,
        revoked_at: r.revokedAt,
        created_at: r.createdAt,
        created_by: r.createdBy,
      })
      .execute();
  }

  async get(id: string): Promise<EnrollTokenRecord | null> {
    const row = await this.#db.selectFrom('enroll_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(page: PageRequest<string>): Promise<EnrollTokenRecord[]> {
    let q = this.#db.selectFrom('enroll_tokens').selectAll();
    if (page.after !== undefined) q = q.where('id', '>', page.after);
    return (await q.orderBy('id').limit(page.limit).execute()).map(toRecord);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const r = await this.#db.updateTable('enroll_tokens').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async consumeUse(id: string, now: number): Promise<boolean> {
    // One conditional UPDATE: the check and the increment cannot be split by a concurrent enrol.
    const r = await this.#db
      .updateTable('enroll_tokens')
      .set((eb) => ({ uses: eb('uses', '+', 1) }))
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}

function toRecord(r: Selectable<EnrollTokensTable>): EnrollTokenRecord {
  return {
    id: r.id,
    secretHash: r.secret_hash,
    description: r.description,
    maxUses: numOrNull(r.max_uses),
    uses: num(r.uses),
    expiresAt: num(r.expires_at),
    revokedAt: numOrNull(r.revoked_at),
    createdAt: num(r.created_at),
    createdBy: r.created_by,
  };
}
