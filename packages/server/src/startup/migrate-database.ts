import { openSqlStore } from '@quarry/storage-sql';
import type { Logger } from '@quarry/core';
import type { ServerConfig } from '../config/schema.js';
import { databaseOptionsOf } from '../config/store-locations.js';
import { applyMigrationPolicy } from './migration-policy.js';

/**
 * `quarry server migrate`: brings the configured database to this release's schema and returns
 * the migrations applied. Refuses (StartRefusedError) a database migrated by a newer release.
 * Safe while other nodes run: the migrator holds a lock, and migrations only add.
 */
export async function migrateDatabase(config: Pick<ServerConfig, 'databaseUrl' | 'database' | 'databasePoolMax'>, logger: Logger): Promise<string[]> {
  const store = await openSqlStore({ ...databaseOptionsOf(config), ...(config.databaseUrl ? { poolMax: 1 } : {}) });
  try {
    return await applyMigrationPolicy(store, 'when-told', logger);
  } finally {
    await store.close();
  }
}
