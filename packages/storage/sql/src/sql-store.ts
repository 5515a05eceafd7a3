import { Migrator, type Kysely } from 'kysely';
import type { QuarryStore } from '@quarry/core';
import type { DialectAdapter } from './dialect-adapter.js';
import { translating } from './errors/translate.js';
import { createMigrationProvider } from './migrations/index.js';
import { UnknownMigrationsError, unknownMigrations } from './migrations/migration-status.js';
import { AuditRepository } from './repositories/audit-repository.js';
import { CredentialRepository } from './repositories/credential-repository.js';
import { EndpointRepository } from './repositories/endpoint-repository.js';
import { EnrollTokenRepository } from './repositories/enroll-token-repository.js';
import { FileOpRepository } from './repositories/file-op-repository.js';
import { LinkRepository } from './repositories/link-repository.js';
import { SubtaskRepository } from './repositories/subtask-repository.js';
import { TaskRepository } from './repositories/task-repository.js';
import { UploadRepository } from './repositories/upload-repository.js';
import { ElementRepository } from './repositories/element-repository.js';
import { SweepRepository } from './repositories/sweep-repository.js';
import { runTransaction } from './run-transaction.js';
import type { Database } from './schema.js';
import { describeSchema, type SchemaSnapshot } from './schema-snapshot.js';

/** The core store on SQL, plus schema management and shutdown. */
export interface SqlStore extends QuarryStore {
  /**
   * Applies pending migrations (all, or up to and including `upTo`); throws with the failing
   * migration's error on failure, and throws UnknownMigrationsError without touching anything
   * when the database was migrated by a newer release. Safe to call from several nodes at once:
   * on PostgreSQL Kysely's migrator holds an advisory lock and runs in one transaction.
   */
  migrate(options?: { upTo?: string }): Promise<void>;
  /** Names of migrations this code knows that the database has not applied, in order. */
  pendingMigrations(): Promise<string[]>;
  /** Names of migrations the database has applied that this code does not know (refuse to run). */
  unknownMigrations(): Promise<string[]>;
  /** The migrated schema with dialect spelling removed (tables, columns, normalised types). */
  describeSchema(): Promise<SchemaSnapshot>;
  close(): Promise<void>;
  /** The underlying Kysely instance, for tests and maintenance tools only. */
  readonly db: Kysely<Database>;
}

function bindRepositories(adapter: DialectAdapter, db: Kysely<Database>, inTransaction: boolean): Omit<QuarryStore, 'transaction'> {
  const caps = adapter.capabilities;
  return {
    endpoints: translating(adapter, new EndpointRepository(db)),
    credentials: translating(adapter, new CredentialRepository(db)),
    enrollTokens: translating(adapter, new EnrollTokenRepository(db)),
    tasks: translating(adapter, new TaskRepository(db, { lockOnRead: inTransaction && caps.supportsRowLocks, inTransaction })),
    subtasks: translating(adapter, new SubtaskRepository(db, caps)),
    fileOps: translating(adapter, new FileOpRepository(db, caps)),
    uploads: translating(adapter, new UploadRepository(db)),
    links: translating(adapter, new LinkRepository(db)),
    audit: translating(adapter, new AuditRepository(db)),
    sweeps: translating(adapter, new SweepRepository(db)),
    elements: translating(adapter, new ElementRepository(db)),
  };
}

/** Builds the store over an open Kysely instance. */
export function createSqlStore(adapter: DialectAdapter, db: Kysely<Database>): SqlStore {
  const provider = createMigrationProvider(adapter);
  const migrator = new Migrator({ db, provider });
  const store: SqlStore = {
    ...bindRepositories(adapter, db, false),
    db,
    transaction<T>(fn: (tx: QuarryStore) => Promise<T>): Promise<T> {
      return runTransaction(adapter, db, (trx) => {
        const txStore: QuarryStore = {
          ...bindRepositories(adapter, trx, true),
          // Nested calls join the open transaction: callers compose without knowing the depth.
          transaction: (inner) => inner(txStore),
        };
        return fn(txStore);
      });
    },
    async migrate(options = {}) {
      const unknown = await unknownMigrations(db, provider);
      if (unknown.length > 0) throw new UnknownMigrationsError(unknown);
      const { error, results } = options.upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.upTo);
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new Error(`migration ${failed} failed`, { cause: error });
      }
    },
    async pendingMigrations() {
      const all = await migrator.getMigrations();
      return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
    },
    unknownMigrations: () => unknownMigrations(db, provider),
    describeSchema: () => describeSchema(adapter, db),
    async close() {
      await db.destroy();
    },
  };
  return store;
}
