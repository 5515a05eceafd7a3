import type { DialectAdapter } from './dialect-adapter.js';
import { createSqlStore, type SqlStore } from './sql-store.js';

/**
 * Which database to open. SQLite: one file, one writer (a single node, or nodes sharing a local
 * disk). PostgreSQL: any number of nodes; `poolMax` is connections per node (default 10).
 */
export type SqlStoreOptions = { driver: 'sqlite'; path: string } | { driver: 'postgres'; url: string; poolMax?: number | undefined };

/**
 * Opens the database and returns the store. It does not migrate: check `unknownMigrations()` and
 * `pendingMigrations()` and call `migrate()` as the server's policy dictates.
 *
 * @example const store = await openSqlStore({ driver: 'postgres', url: 'postgres://quarry@db/quarry' }); await store.migrate();
 */
export async function openSqlStore(options: SqlStoreOptions): Promise<SqlStore> {
  const adapter = await selectAdapter(options);
  return createSqlStore(adapter, adapter.createKysely());
}

/** Imports only the driver in use: a server on SQLite never loads node-postgres, nor the reverse. */
async function selectAdapter(options: SqlStoreOptions): Promise<DialectAdapter> {
  switch (options.driver) {
    case 'sqlite':
      return (await import('./dialects/sqlite/sqlite-adapter.js')).createSqliteAdapter(options.path);
    case 'postgres':
      return (await import('./dialects/postgres/postgres-adapter.js')).createPostgresAdapter({ url: options.url, poolMax: options.poolMax });
  }
}
