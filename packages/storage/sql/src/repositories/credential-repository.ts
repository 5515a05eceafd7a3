import type { Kysely, Selectable } from 'kysely';
import type { CredentialRecord, CredentialStore, PageRequest } from '@quarry/core';
import type { CredentialsTable, Database } from '../schema.js';
import { bool, num, numOrNull } from './row.js';

export class CredentialRepository implements CredentialStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(r: CredentialRecord): Promise<void> {
    await this.#db
      .insertInto('credentials')
      .values({
        id: r.id,
        name: r.name,
        role: r.role,
        can_download: r.canDownload ? 1 : 0,
        secret_hash: r.secretHash,
        created_at: r.createdAt,
        created_by: r.createdBy,
        last_used_at: r.lastUsedAt,
        revoked_at: r.revokedAt,
      })
      .execute();
  }

  async get(id: string): Promise<CredentialRecord | null> {
    const row = await this.#db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(page: PageRequest<string>): Promise<CredentialRecord[]> {
    let q = this.#db.selectFrom('credentials').selectAll();
    if (page.after !== undefined) q = q.where('id', '>', page.after);
    return (await q.orderBy('id').limit(page.limit).execute()).map(toRecord);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    const r = await this.#db.updateTable('credentials').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async touch(id: string, at: number, staleBefore: number): Promise<void> {
    await this.#db
      .updateTable('credentials')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', staleBefore)]))
      .execute();
  }

  async countActiveAdmins(): Promise<number> {
    const row = await this.#db
      .selectFrom('credentials')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('role', '=', 'admin')
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return num(row.n);
  }
}

function toRecord(r: Selectable<CredentialsTable>): CredentialRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role as CredentialRecord['role'],
    canDownload: bool(r.can_download),
    secretHash: r.secret_hash,
    createdAt: num(r.created_at),
    createdBy: r.created_by,
    lastUsedAt: numOrNull(r.last_used_at),
    revokedAt: numOrNull(r.revoked_at),
  };
}
