import pg from 'pg';
import { Kysely, PostgresDialect, sql, type ColumnDefinitionBuilder } from 'kysely';
import type { DialectAdapter } from '../../dialect-adapter.js';
import type { Database } from '../../schema.js';
import { APPEND_ONLY_SQLSTATE, classifyPgError, isTransientPgError } from './classify-pg-error.js';
import { PG_TYPE_PARSERS } from './pg-type-parsers.js';

/** Connections per store (per server node) unless the caller says otherwise. */
export const DEFAULT_POOL_MAX = 10;
/** Runs of a transaction aborted by a deadlock or serialisation failure before giving up. */
const MAX_TRANSACTION_ATTEMPTS = 5;
const APPLICATION_NAME = 'quarry';
const APPEND_ONLY_FUNCTION = 'quarry_append_only';

export interface PostgresAdapterOptions {
  url: string;
  poolMax?: number | undefined;
}

/** PostgreSQL via node-postgres: a pool per store, READ COMMITTED, row locks for claiming. */
export function createPostgresAdapter(options: PostgresAdapterOptions): DialectAdapter {
  return {
    // Nodes claim and tick at the same time; conditional updates (WHERE state = ?) decide races,
    // SKIP LOCKED keeps claimers off each other's rows, and READ COMMITTED re-checks the WHERE of
    // an update against the row another transaction just committed.
    capabilities: {
      supportsSkipLocked: true,
      supportsRowLocks: true,
      transactionIsolation: 'read committed',
      maxTransactionAttempts: MAX_TRANSACTION_ATTEMPTS,
      supportsDropConstraint: true,
      supportsArrayParameters: true,
    },
    autoIdType: 'bigint',
    bigIntType: 'bigint',
    createKysely() {
      const pool = new pg.Pool({
        connectionString: options.url,
        max: options.poolMax ?? DEFAULT_POOL_MAX,
        application_name: APPLICATION_NAME,
        types: PG_TYPE_PARSERS,
      });
      // An idle client whose server went away emits 'error' on the pool; unhandled, Node would
      // exit. The next query on a fresh client reports the outage to its caller instead.
      pool.on('error', () => {});
      return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    },
    autoIdColumn(col: ColumnDefinitionBuilder) {
      // Identity, not serial: the sequence belongs to the column and dies with it.
      return col.primaryKey().generatedByDefaultAsIdentity();
    },
    async makeAppendOnly(db: Kysely<unknown>, table: string) {
      await sql
        .raw(
          `create or replace function ${APPEND_ONLY_FUNCTION}() returns trigger language plpgsql as $$ ` +
            `begin raise exception using errcode = '${APPEND_ONLY_SQLSTATE}', ` +
            `message = 'append-only table: ' || tg_table_name || ' refuses ' || lower(tg_op); end $$`,
        )
        .execute(db);
      await sql
        .raw(`create trigger ${table}_no_change before update or delete on ${table} for each row execute function ${APPEND_ONLY_FUNCTION}()`)
        .execute(db);
      await sql
        .raw(`create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function ${APPEND_ONLY_FUNCTION}()`)
        .execute(db);
    },
    classifyError: classifyPgError,
    isTransientError: isTransientPgError,
    async listPrimaryKeys<DB>(db: Kysely<DB>) {
      const rows = await sql<{ tbl: string; name: string }>`
        select tc.table_name as tbl, kcu.column_name as name
        from information_schema.table_constraints tc
        join information_schema.key_column_usage kcu
          on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema and kcu.table_name = tc.table_name
        where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = current_schema()
        order by tc.table_name, kcu.ordinal_position`.execute(db);
      const out = new Map<string, string[]>();
      for (const r of rows.rows) out.set(r.tbl, [...(out.get(r.tbl) ?? []), r.name]);
      return out;
    },
  };
}
