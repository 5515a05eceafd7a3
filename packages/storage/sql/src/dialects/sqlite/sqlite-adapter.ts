import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, type ColumnDefinitionBuilder } from 'kysely';
import type { StoreErrorKind } from '@quarry/core';
import type { DialectAdapter } from '../../dialect-adapter.js';
import type { Database } from '../../schema.js';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';

/** Marker in the trigger message so the error classifier can tell it from other aborts. */
const APPEND_ONLY_MESSAGE = 'append-only table';
const BUSY_TIMEOUT_MS = 5000;

/** SQLite via better-sqlite3: one connection, WAL, foreign keys enforced. */
export function createSqliteAdapter(path: string): DialectAdapter {
  return {
    capabilities: { supportsSkipLocked: false },
    autoIdType: 'integer',
    bigIntType: 'integer',
    createKysely() {
      const database = new BetterSqlite3(path);
      // WAL lets readers run while a writer commits; busy_timeout makes concurrent writers (other
      // processes) wait instead of failing; foreign keys are off by default in SQLite.
      database.pragma('journal_mode = WAL');
      database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      database.pragma('foreign_keys = ON');
      database.pragma('synchronous = NORMAL');
      return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
    },
    autoIdColumn(col: ColumnDefinitionBuilder) {
      // INTEGER PRIMARY KEY aliases the rowid; AUTOINCREMENT forbids reuse of ids of deleted rows.
      return col.primaryKey().autoIncrement();
    },
    async makeAppendOnly(db: Kysely<unknown>, table: string) {
      for (const op of ['update', 'delete'] as const) {
        await sql
          .raw(
            `create trigger ${table}_no_${op} before ${op} on ${table} ` +
              `begin select raise(abort, '${APPEND_ONLY_MESSAGE}: ${table}'); end`,
          )
          .execute(db);
      }
    },
    classifyError,
  };
}

function classifyError(err: unknown): { kind: StoreErrorKind; constraint: string | null } | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  // better-sqlite3 messages look like "UNIQUE constraint failed: contents.sha256".
  const constraint = /constraint failed: (.+)$/.exec(err.message)?.[1] ?? null;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return { kind: 'unique_violation', constraint };
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return { kind: 'foreign_key_violation', constraint };
  if (code === 'SQLITE_CONSTRAINT_TRIGGER' && err.message.includes(APPEND_ONLY_MESSAGE)) return { kind: 'append_only', constraint: null };
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return { kind: 'busy', constraint: null };
  return null;
}
