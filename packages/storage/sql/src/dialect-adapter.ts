import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { StoreErrorKind } from '@quarry/core';
import type { Database } from './schema.js';

/** What differs between databases; everything else in storage-sql is shared. */
export interface SqlCapabilities {
  /** `SELECT … FOR UPDATE SKIP LOCKED` for claiming work across connections (PostgreSQL). */
  supportsSkipLocked: boolean;
}

/**
 * One database's edges: connection, capability flags, the integer id column, append-only
 * enforcement and error classification. Implemented under `dialects/<name>/`.
 */
export interface DialectAdapter {
  readonly capabilities: SqlCapabilities;
  createKysely(): Kysely<Database>;
  /** Column type and modifiers for an auto-incrementing integer primary key. */
  readonly autoIdType: 'integer' | 'bigint';
  autoIdColumn(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Type used for epoch-ms and other integer columns that may exceed 2^31. */
  readonly bigIntType: 'integer' | 'bigint';
  /** Makes `table` refuse UPDATE and DELETE. */
  makeAppendOnly(db: Kysely<unknown>, table: string): Promise<void>;
  /** Classifies a driver error, or null when it is not a constraint failure we translate. */
  classifyError(err: unknown): { kind: StoreErrorKind; constraint: string | null } | null;
}
