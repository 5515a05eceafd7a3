import { sql, type Kysely } from 'kysely';
import type { SqlCapabilities } from '../dialect-adapter.js';
import type { Database } from '../schema.js';
import { num } from './row.js';

/** Bound values per statement we allow ourselves: below SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_BOUND_PARAMETERS = 30_000;

/** PostgreSQL element type of each column a bulk insert may fill (array casts need it). */
export type ColumnTypes<T extends keyof Database> = Partial<Record<keyof Database[T] & string, 'bigint' | 'integer' | 'text'>>;

/**
 * Inserts many rows of the same columns; with `returnIds`, returns their ids in input order.
 *
 * With array parameters (PostgreSQL) it is one `insert … select * from unnest($1::t[], …)`: a
 * value per column instead of one per cell, so 10,000 rows bind 8 arrays rather than 80,000
 * values, and neither Kysely nor the server handles a statement tens of thousands of
 * placeholders long. Otherwise multi-row VALUES, as many rows per statement as the
 * bound-parameter limit allows. Either way identity ids are drawn in row order.
 */
export async function insertRows<T extends keyof Database & string>(
  db: Kysely<Database>,
  caps: SqlCapabilities,
  table: T,
  types: ColumnTypes<T>,
  rows: ReadonlyArray<Record<string, unknown>>,
  options: { returnIds: boolean },
): Promise<number[]> {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]!);
  const ids: number[] = [];
  if (caps.supportsArrayParameters) {
    const arrays = columns.map((c) => {
      const type = (types as Record<string, string | undefined>)[c];
      if (!type) throw new Error(`bulk insert into ${table}: no type for column ${c}`);
      return sql`${rows.map((r) => r[c] ?? null)}::${sql.raw(type)}[]`;
    });
    const returning = options.returnIds ? sql` returning id` : sql``;
    const result = await sql<{ id: number | string }>`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
      select * from unnest(${sql.join(arrays)})${returning}`.execute(db);
    for (const r of result.rows) ids.push(num(r.id));
  } else {
    const perStatement = Math.max(1, Math.floor(MAX_BOUND_PARAMETERS / columns.length));
    for (let i = 0; i < rows.length; i += perStatement) {
      // Kysely's per-table insert types cannot follow a generic table name.
      const insert = db.insertInto(table).values(rows.slice(i, i + perStatement) as never);
      if (!options.returnIds) {
        await insert.execute();
        continue;
      }
      const inserted = await insert.returning(sql<number | string>`id`.as('id')).execute();
      for (const r of inserted as Array<{ id: number | string }>) ids.push(num(r.id));
    }
  }
  return ids.sort((a, b) => a - b);
}
