import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { StoreErrorKind } from '@quarry/core';
import type { Database } from './schema.js';

/**
 * What differs between databases, as flags the shared code reads. Nothing outside `dialects/`
 * asks which database it runs on; it asks what the database can do.
 */
export interface SqlCapabilities {
  /**
   * `SELECT … FOR UPDATE SKIP LOCKED`: several connections claim disjoint rows at once
   * (PostgreSQL). Without it a single writer serialises claims (SQLite `BEGIN IMMEDIATE`).
   */
  supportsSkipLocked: boolean;
  /**
   * `SELECT … FOR UPDATE` inside a transaction. Needed where transactions run concurrently at
   * READ COMMITTED: a transaction that reads a row to change it must see every committed change
   * to it, so the row is locked when read.
   */
  supportsRowLocks: boolean;
  /** Isolation level transactions ask for; undefined keeps the database's only mode (SQLite). */
  transactionIsolation: 'read committed' | undefined;
  /** Runs of one transaction when the database aborts it as a serialisation failure or deadlock. */
  maxTransactionAttempts: number;
  /**
   * `ALTER TABLE … DROP CONSTRAINT` (PostgreSQL). SQLite can only drop a constraint by rebuilding
   * the table, which migrations here do not do.
   */
  supportsDropConstraint: boolean;
  /** Arrays as bound values, and `unnest` to turn them into rows (PostgreSQL). */
  supportsArrayParameters: boolean;
}

/** A classified driver error. */
export interface ClassifiedError {
  kind: StoreErrorKind;
  constraint: string | null;
}

/**
 * One database's edges: connection, capability flags, column types, append-only enforcement,
 * error classification and catalogue queries. Implemented under `dialects/<name>/`.
 */
export interface DialectAdapter {
  readonly capabilities: SqlCapabilities;
  createKysely(): Kysely<Database>;
  /** Column type and modifiers for an auto-incrementing integer primary key. */
  readonly autoIdType: 'integer' | 'bigint';
  autoIdColumn(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Type used for epoch-ms and other integer columns that may exceed 2^31. */
  readonly bigIntType: 'bigint';
  /** Makes `table` refuse UPDATE and DELETE (and TRUNCATE where the database has it). */
  makeAppendOnly(db: Kysely<unknown>, table: string): Promise<void>;
  /** Classifies a driver error, or null when it is not one we translate. */
  classifyError(err: unknown): ClassifiedError | null;
  /** True when re-running the whole transaction may succeed (serialisation failure, deadlock). */
  isTransientError(err: unknown): boolean;
  /** Primary-key columns of every user table, for schema snapshots. */
  listPrimaryKeys<DB>(db: Kysely<DB>): Promise<Map<string, string[]>>;
}
