import type { Kysely } from 'kysely';
import type { AuditFilter, AuditRecord, AuditStore, PageRequest } from '@quarry/core';
import type { Database } from '../schema.js';
import { num, parseJson } from './row.js';

export class AuditRepository implements AuditStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async append(r: Omit<AuditRecord, 'id'>): Promise<number> {
    const row = await this.#db
      .insertInto('audit_events')
      .values({
        at: r.at,
        actor_type: r.actorType,
        actor_id: r.actorId,
        action: r.action,
        target_type: r.targetType,
        target_id: r.targetId,
        ip: r.ip,
        details: JSON.stringify(r.details),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return num(row.id);
  }

  async list(filter: AuditFilter, page: PageRequest<number>): Promise<AuditRecord[]> {
    let q = this.#db.selectFrom('audit_events').selectAll();
    if (filter.actorId !== undefined) q = q.where('actor_id', '=', filter.actorId);
    if (filter.action !== undefined) q = q.where('action', '=', filter.action);
    if (filter.targetType !== undefined) q = q.where('target_type', '=', filter.targetType);
    if (filter.targetId !== undefined) q = q.where('target_id', '=', filter.targetId);
    if (filter.since !== undefined) q = q.where('at', '>=', filter.since);
    if (page.after !== undefined) q = q.where('id', '<', page.after);
    const rows = await q.orderBy('id', 'desc').limit(page.limit).execute();
    return rows.map((r) => ({
      id: num(r.id),
      at: num(r.at),
      actorType: r.actor_type as AuditRecord['actorType'],
      actorId: r.actor_id,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      ip: r.ip,
      details: parseJson<Record<string, unknown>>(r.details),
    }));
  }
}
