import type { Kysely, Selectable } from 'kysely';
import type { EndpointFilter, EndpointPatch, EndpointRecord, EndpointStore, PageRequest } from '@quarry/core';
import type { Database, EndpointsTable } from '../schema.js';
import { bool, num, numOrNull, parseJson } from './row.js';

/** Values per IN list: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const IN_LIST_SLICE = 1000;

export class EndpointRepository implements EndpointStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async insert(r: EndpointRecord): Promise<void> {
    await this.#db
      .insertInto('endpoints')
      .values({
        id: r.id,
        short_id: r.shortId,
        hostname: r.hostname,
        os: r.os,
        os_version: r.osVersion,
        arch: r.arch,
        agent_version: r.agentVersion,
        ip_addresses: JSON.stringify(r.ipAddresses),
        agent_secret_hash: r.agentSecretHash,
        enrolled_at: r.enrolledAt,
        last_seen_at: r.lastSeenAt,
        connected: r.connected ? 1 : 0,
      })
      .execute();
  }

  async get(id: string): Promise<EndpointRecord | null> {
    const row = await this.#db.selectFrom('endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async getByShortId(shortId: string): Promise<EndpointRecord | null> {
    const row = await this.#db.selectFrom('endpoints').selectAll().where('short_id', '=', shortId).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async findByHostname(hostname: string, limit: number): Promise<EndpointRecord[]> {
    const rows = await this.#db.selectFrom('endpoints').selectAll().where('hostname', '=', hostname).orderBy('id').limit(limit).execute();
    return rows.map(toRecord);
  }

  async getMany(ids: readonly string[]): Promise<EndpointRecord[]> {
    return this.#selectIn('id', ids);
  }

  async getManyByShortId(shortIds: readonly string[]): Promise<EndpointRecord[]> {
    return this.#selectIn('short_id', shortIds);
  }

  async findByHostnames(hostnames: readonly string[]): Promise<EndpointRecord[]> {
    return this.#selectIn('hostname', hostnames);
  }

  /** `WHERE column IN (...)` in slices, so no statement nears either dialect's parameter limit. */
  async #selectIn(column: 'id' | 'short_id' | 'hostname', values: readonly string[]): Promise<EndpointRecord[]> {
    const out: EndpointRecord[] = [];
    const distinct = [...new Set(values)];
    for (let at = 0; at < distinct.length; at += IN_LIST_SLICE) {
      const rows = await this.#db.selectFrom('endpoints').selectAll().where(column, 'in', distinct.slice(at, at + IN_LIST_SLICE)).execute();
      for (const row of rows) out.push(toRecord(row));
    }
    return out;
  }

  async list(filter: EndpointFilter, page: PageRequest<string>): Promise<EndpointRecord[]> {
    let q = this.#db.selectFrom('endpoints').selectAll();
    if (filter.hostname !== undefined) q = q.where('hostname', '=', filter.hostname);
    if (filter.os !== undefined) q = q.where('os', '=', filter.os);
    if (filter.online !== undefined && filter.onlineSince !== undefined) {
      const since = filter.onlineSince;
      q = filter.online
        ? q.where('connected', '=', 1).where('last_seen_at', '>=', since)
        : q.where((eb) => eb.or([eb('connected', '=', 0), eb('last_seen_at', 'is', null), eb('last_seen_at', '<', since)]));
    }
    if (page.after !== undefined) q = q.where('id', '>', page.after);
    const rows = await q.orderBy('id').limit(page.limit).execute();
    return rows.map(toRecord);
  }

  async update(id: string, p: EndpointPatch): Promise<void> {
    const values: Partial<EndpointsTable> = {};
    if (p.hostname !== undefined) values.hostname = p.hostname;
    if (p.os !== undefined) values.os = p.os;
    if (p.osVersion !== undefined) values.os_version = p.osVersion;
    if (p.arch !== undefined) values.arch = p.arch;
    if (p.agentVersion !== undefined) values.agent_version = p.agentVersion;
    if (p.ipAddresses !== undefined) values.ip_addresses = JSON.stringify(p.ipAddresses);
    if (p.lastSeenAt !== undefined) values.last_seen_at = p.lastSeenAt;
    if (p.connected !== undefined) values.connected = p.connected ? 1 : 0;
    if (Object.keys(values).length === 0) return;
    await this.#db.updateTable('endpoints').set(values).where('id', '=', id).execute();
  }
}

function toRecord(r: Selectable<EndpointsTable>): EndpointRecord {
  return {
    id: r.id,
    shortId: r.short_id,
    hostname: r.hostname,
    os: r.os as EndpointRecord['os'],
    osVersion: r.os_version,
    arch: r.arch,
    agentVersion: r.agent_version,
    ipAddresses: parseJson<string[]>(r.ip_addresses),
    agentSecretHash: r.agent_secret_hash,
    enrolledAt: num(r.enrolled_at),
    lastSeenAt: numOrNull(r.last_seen_at),
    connected: bool(r.connected),
  };
}
