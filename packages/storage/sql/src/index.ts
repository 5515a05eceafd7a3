/**
 * @quarry/storage-sql: the core QuarryStore on SQL (Kysely) over SQLite or PostgreSQL. Imports
 * @quarry/core, @quarry/protocol and its drivers only. Dialect-specific code lives under
 * `dialects/<name>/`; everything else reads capability flags.
 */
export { openSqlStore, type SqlStoreOptions } from './open-sql-store.js';
export { openSqlStoreFromUrl, sqlStoreOptionsFromUrl, DEFAULT_SQLITE_FILE, SQL_URL_MESSAGES } from './sql-store-url.js';
export { UnknownMigrationsError } from './migrations/migration-status.js';
export { migrationNames, migrationsFingerprint } from './migrations/index.js';
export type { SqlStore } from './sql-store.js';
export type { SchemaSnapshot, ColumnSnapshot } from './schema-snapshot.js';
export type { Database } from './schema.js';
