import { makeTestDatabase, type TestDatabaseTemplate, type TestDialect } from '@quarry/testing';
import { migrationsFingerprint, openSqlStore, type SqlStore, type SqlStoreOptions } from '../src/index.js';

/** Databases copied from one migrated once per migration set (PostgreSQL), or migrated (SQLite). */
export const MIGRATED_TEMPLATE: TestDatabaseTemplate = {
  key: `migrated_${migrationsFingerprint()}`,
  async prepare(options) {
    const store = await openSqlStore(options);
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
  },
};

export interface TestStore {
  store: SqlStore;
  options: SqlStoreOptions;
  /** Another store on the same database: a second server node with its own connections. */
  openAnother(): Promise<SqlStore>;
  cleanup(): Promise<void>;
}

/** A store on a brand-new database of `dialect`, migrated unless `migrated: false`. */
export async function makeTestStore(dialect: TestDialect, label: string, { migrated = true } = {}): Promise<TestStore> {
  const db = await makeTestDatabase(dialect, label, migrated ? MIGRATED_TEMPLATE : undefined);
  const store = await openSqlStore(db.options);
  const others: SqlStore[] = [];
  return {
    store,
    options: db.options,
    async openAnother() {
      const other = await openSqlStore(db.options);
      others.push(other);
      return other;
    },
    async cleanup() {
      for (const s of [store, ...others]) await s.close();
      await db.cleanup();
    },
  };
}
