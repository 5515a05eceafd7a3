/**
 * @quarry/storage-sql: the core QuarryStore on SQL (Kysely). Imports @quarry/core, @quarry/protocol
 * and its drivers only. Dialect-specific code lives under `dialects/<name>/`.
 */
export { openSqlStore, type SqlStoreOptions } from './open-sql-store.js';
export type { SqlStore } from './sql-store.js';
export type { Database } from './schema.js';
