import { sql, type Kysely, type Selectable } from 'kysely';
import type { ElementFilter, ElementSighting, ElementStore, ElementWithHost, FileElementRecord, PageRequest } from '@quarry/core';
import type { Database, FileElementsTable } from '../schema.js';
import { hashEquals } from './element-hash-key.js';
import { num, numOrNull } from './row.js';

/** Rows per statement: 13 bound values each stays far below SQLite's and PostgreSQL's parameter limits. */
const UPSERT_BATCH = 500;

type ElementRow = Selectable<FileElementsTable> & { hostname: string };

/** `lower(column) LIKE pattern ESCAPE '\'`: the same case-insensitive match on every dialect. */
export function lowerLike(column: string, pattern: string) {
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

export class ElementRepository implements ElementStore {
  readonly #db: Kysely<Database>;
  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async upsertMany(endpointId: string, taskId: number, seenAt: number, sightings: readonly ElementSighting[], newGuid: () => string): Promise<number[]> {
    const idByPath = new Map<string, number>();
    for (let i = 0; i < sightings.length; i += UPSERT_BATCH) {
      const rows = await this.#db
        .insertInto('file_elements')
        .values(
          sightings.slice(i, i + UPSERT_BATCH).map((s) => ({
            guid: newGuid(),
            endpoint_id: endpointId,
            path: s.path,
            name: s.name,
            size: s.size,
            mtime: s.mtime,
            owner: s.owner,
            md5: s.md5,
            sha1: s.sha1,
            sha256: s.sha256,
            first_seen_at: seenAt,
            last_seen_at: seenAt,
            last_task_id: taskId,
          })),
        )
        // Seen again: refresh what may have changed; id, guid and first_seen_at stay.
        .onConflict((oc) =>
          oc.columns(['endpoint_id', 'path']).doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            size: eb.ref('excluded.size'),
            mtime: eb.ref('excluded.mtime'),
            owner: eb.ref('excluded.owner'),
            md5: eb.ref('excluded.md5'),
            sha1: eb.ref('excluded.sha1'),
            sha256: eb.ref('excluded.sha256'),
            last_seen_at: eb.ref('excluded.last_seen_at'),
            last_task_id: eb.ref('excluded.last_task_id'),
          })),
        )
        .returning(['id', 'path'])
        .execute();
      for (const r of rows) idByPath.set(r.path, num(r.id));
    }
    return sightings.map((s) => {
      const id = idByPath.get(s.path);
      if (id === undefined) throw new Error(`element upsert returned no id for ${s.path}`);
      return id;
    });
  }

  async get(id: number): Promise<ElementWithHost | null> {
    const row = await this.#withHost().where('file_elements.id', '=', id).executeTakeFirst();
    return row ? toElement(row) : null;
  }

  async getMany(ids: readonly number[]): Promise<ElementWithHost[]> {
    if (ids.length === 0) return [];
    const rows = await this.#withHost().where('file_elements.id', 'in', [...ids]).orderBy('file_elements.id').execute();
    return rows.map(toElement);
  }

  async list(filter: ElementFilter, page: PageRequest<number>): Promise<ElementWithHost[]> {
    let q = this.#withHost();
    if (filter.endpointId !== undefined) q = q.where('file_elements.endpoint_id', '=', filter.endpointId);
    if (filter.nameLike !== undefined) q = q.where(lowerLike('file_elements.name', filter.nameLike));
    if (filter.pathLike !== undefined) q = q.where(lowerLike('file_elements.path', filter.pathLike));
    if (filter.md5 !== undefined) q = q.where(hashEquals('file_elements.md5', filter.md5));
    if (filter.sha1 !== undefined) q = q.where(hashEquals('file_elements.sha1', filter.sha1));
    if (filter.sha256 !== undefined) q = q.where(hashEquals('file_elements.sha256', filter.sha256));
    if (page.after !== undefined) q = q.where('file_elements.id', '>', page.after);
    return (await q.orderBy('file_elements.id').limit(page.limit).execute()).map(toElement);
  }

  #withHost() {
    return this.#db
      .selectFrom('file_elements')
      .innerJoin('endpoints', 'endpoints.id', 'file_elements.endpoint_id')
      .selectAll('file_elements')
      .select('endpoints.hostname');
  }
}

/** Maps a joined element row (element columns plus hostname). */
export function toElement(r: ElementRow): ElementWithHost {
  const element: FileElementRecord = {
    id: num(r.id),
    guid: r.guid,
    endpointId: r.endpoint_id,
    path: r.path,
    name: r.name,
    size: num(r.size),
    mtime: numOrNull(r.mtime),
    owner: r.owner,
    md5: r.md5,
    sha1: r.sha1,
    sha256: r.sha256,
    firstSeenAt: num(r.first_seen_at),
    lastSeenAt: num(r.last_seen_at),
    lastTaskId: num(r.last_task_id),
  };
  return { ...element, hostname: r.hostname };
}
