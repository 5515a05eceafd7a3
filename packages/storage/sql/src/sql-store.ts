import { Migrator, type Kysely } from 'kysely';
import type { QuarryStore } from '@quarry/core';
import type { DialectAdapter } from './dialect-adapter.js';
import { translateError, translating } from './errors/translate.js';
import { createMigrationProvider } from './migrations/index.js';
import { AuditRepository } from './repositories/audit-repository.js';
import { CredentialRepository } from './repositories/credential-repository.js';
import { EndpointRepository } from './repositories/endpoint-repository.js';
import { EnrollTokenRepository } from './repositories/enroll-token-repository.js';
import { FileOpRepository } from './repositories/file-op-repository.js';
import { LinkRepository } from './repositories/link-repository.js';
import { SubtaskRepository } from './repositories/subtask-repository.js';
import { TaskRepository } from './repositories/task-repository.js';
import { UploadRepository } from './repositories/upload-repository.js';
import type { Database } from './schema.js';

/** The core store on SQL, plus schema management and shutdown. */
export interface SqlStore extends QuarryStore {
  /** Applies every pending migration; throws (with the failing migration's error) on failure. */
  migrate(): Promise<void>;
  /** Names of migrations not yet applied. */
  pendingMigrations(): Promise<string[]>;
  close(): Promise<void>;
  /** The underlying Kysely instance, for tests and maintenance tools only. */
  readonly db: Kysely<Database>;
}

function bindRepositories(adapter: DialectAdapter, db: Kysely<Database>): Omit<QuarryStore, 'transaction'> {
  return {
    endpoints: translating(adapter, new EndpointRepository(db)),
    credentials: translating(adapter, new CredentialRepository(db)),
    enrollTokens: translating(adapter, new EnrollTokenRepository(db)),
    tasks: translating(adapter, new TaskRepository(db)),
    subtasks: translating(adapter, new SubtaskRepository(db, adapter.capabilities)),
    fileOps: translating(adapter, new FileOpRepository(db)),
    uploads: translating(adapter, new UploadRepository(db)),
    links: translating(adapter, new LinkRepository(db)),
    audit: translating(adapter, new AuditRepository(db)),
  };
}

/** Builds the store over an open Kysely instance. */
export function createSqlStore(adapter: DialectAdapter, db: Kysely<Database>): SqlStore {
  const migrator = new Migrator({ db, provider: createMigrationProvider(adapter) });
  const store: SqlStore = {
    ...bindRepositories(adapter, db),
    db,
    async transaction<T>(fn: (tx: QuarryStore) => Promise<T>): Promise<T> {
      try {
        return await db.transaction().execute(async (trx) => {
          const txStore: QuarryStore = {
            ...bindRepositories(adapter, trx),
            // Nested calls join the open transaction: callers compose without knowing the depth.
            transaction: (inner) => inner(txStore),
          };
          return fn(txStore);
        });
      } catch (err) {
        throw translateError(adapter, err);
      }
    },
    async migrate() {
      const { error, results } = await migrator.migrateToLatest();
      if (error) {
        const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new Error(`migration ${failed} failed`, { cause: error });
      }
    },
    async pendingMigrations() {
      const all = await migrator.getMigrations();
      return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
    },
    async close() {
      await db.destroy();
    },
  };
  return store;
}
