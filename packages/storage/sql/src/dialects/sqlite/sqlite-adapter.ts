import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, type ColumnDefinitionBuilder } from 'kysely';
import type { ClassifiedError, DialectAdapter } from '../../dialect-adapter.js';
import type { Database } from '../../schema.js';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';

/** Marker in the trigger message so the error classifier can tell it from other aborts. */
const APPEND_ONLY_MESSAGE = 'append-only table';
const BUSY_TIMEOUT_MS = 5000;
const CACHE_KIB = 64 * 1024;
const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** SQLite via better-sqlite3: one connection, WAL, foreign keys enforced. */
export function createSqliteAdapter(path: string): DialectAdapter {
  return {
    // One writer at a time (BEGIN IMMEDIATE): claims and status refreshes are already serial, and
    // a busy database waits on busy_timeout instead of aborting, so there is nothing to retry.
    capabilities: { supportsSkipLocked: false, supportsRowLocks: false, transactionIsolation: undefined, maxTransactionAttempts: 1, supportsDropConstraint: false, supportsArrayParameters: false },
    autoIdType: 'integer',
    // Any declared type containing INT has INTEGER affinity (64-bit); "bigint" keeps the declared
    // schema identical to PostgreSQL's for the snapshot test.
    bigIntType: 'bigint',
    createKysely() {
      const database = new BetterSqlite3(path);
      // WAL lets readers run while a writer commits; busy_timeout makes concurrent writers (other
      // processes) wait instead of failing; foreign keys are off by default in SQLite.
      database.pragma('journal_mode = WAL');
      database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      database.pragma('foreign_keys = ON');
      database.pragma('synchronous = NORMAL');
      // A statement that may abort halfway (multi-row upserts, foreign keys, RETURNING) keeps the
      // pages it changes in a statement journal; in a temp file, each of those pages is a write
      // syscall (hundreds of thousands per 100k stored sweep results). In memory it is bounded by
      // one statement's pages and is never needed after a crash, so durability is unchanged.
      database.pragma('temp_store = MEMORY');
      // The default 2 MiB page cache evicts index pages that random keys (hashes, names) touch again
      // a moment later; 64 MiB is an upper bound, allocated only as pages are used.
      database.pragma(`cache_size = -${CACHE_KIB}`);
      // Checkpoint every ~40 MiB of WAL instead of ~4 MiB: pages changed by many consecutive commits
      // (index pages under a stream of batches) are copied to the database once, not once per
      // commit. Commits stay durable exactly as before (WAL, synchronous NORMAL).
      database.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
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
    isTransientError: () => false,
    async listPrimaryKeys<DB>(db: Kysely<DB>) {
      const rows = await sql<{ tbl: string; name: string; pk: number }>`
        select m.name as tbl, p.name as name, p.pk as pk
        from sqlite_master m join pragma_table_info(m.name) p
        where m.type = 'table' and p.pk > 0 order by m.name, p.pk`.execute(db);
      const out = new Map<string, string[]>();
      for (const r of rows.rows) out.set(r.tbl, [...(out.get(r.tbl) ?? []), r.name]);
      return out;
    },
  };
}

function classifyError(err: unknown): ClassifiedError | null {
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
