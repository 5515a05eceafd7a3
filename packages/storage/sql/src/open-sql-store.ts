import type { DialectAdapter } from './dialect-adapter.js';
import { createSqliteAdapter } from './dialects/sqlite/sqlite-adapter.js';
import { createSqlStore, type SqlStore } from './sql-store.js';

/** Which database to open. PostgreSQL arrives as another member of this union. */
export type SqlStoreOptions = { driver: 'sqlite'; path: string };

/**
 * Opens the database and returns the store. It does not migrate: call `pendingMigrations()` and
 * `migrate()` as the server's policy dictates.
 *
 * @example const store = await openSqlStore({ driver: 'sqlite', path: 'data/quarry.db' }); await store.migrate();
 */
export async function openSqlStore(options: SqlStoreOptions): Promise<SqlStore> {
  const adapter = selectAdapter(options);
  return createSqlStore(adapter, adapter.createKysely());
}

function selectAdapter(options: SqlStoreOptions): DialectAdapter {
  switch (options.driver) {
    case 'sqlite':
      return createSqliteAdapter(options.path);
  }
}
