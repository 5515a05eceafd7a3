import type { Kysely } from 'kysely';
import type { DialectAdapter } from './dialect-adapter.js';

/** A column as both dialects can describe it. */
export interface ColumnSnapshot {
  /** `text`, `integer` (32-bit on PostgreSQL), `bigint`, or `autoid` (auto-incrementing key). */
  type: string;
  nullable: boolean;
  primaryKey: boolean;
}

/** table → column → description, tables and columns in name order. */
export type SchemaSnapshot = Record<string, Record<string, ColumnSnapshot>>;

const TYPE_NAMES: Record<string, string> = { int4: 'integer', int8: 'bigint', varchar: 'text' };

/**
 * The migrated schema with dialect spelling removed, for comparing SQLite with PostgreSQL and with
 * a checked-in snapshot. Kysely's own tables are left out.
 */
export async function describeSchema<DB>(adapter: DialectAdapter, db: Kysely<DB>): Promise<SchemaSnapshot> {
  const primaryKeys = await adapter.listPrimaryKeys(db);
  const tables = (await db.introspection.getTables()).filter((t) => !t.isView).sort((a, b) => a.name.localeCompare(b.name));
  const out: SchemaSnapshot = {};
  for (const table of tables) {
    const pk = primaryKeys.get(table.name) ?? [];
    const columns: Record<string, ColumnSnapshot> = {};
    for (const col of [...table.columns].sort((a, b) => a.name.localeCompare(b.name))) {
      const type = col.dataType.toLowerCase();
      const primaryKey = pk.includes(col.name);
      columns[col.name] = {
        type: col.isAutoIncrementing ? 'autoid' : (TYPE_NAMES[type] ?? type),
        // SQLite lets a non-INTEGER primary key hold NULL (a documented legacy quirk); the store
        // never writes one, so a key column counts as NOT NULL on both.
        nullable: col.isNullable && !primaryKey,
        primaryKey,
      };
    }
    out[table.name] = columns;
  }
  return out;
}
