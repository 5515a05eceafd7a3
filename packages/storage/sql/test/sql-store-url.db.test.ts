import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describeEachDialect, makeTestDatabase } from '@quarry/testing';
import { openSqlStoreFromUrl, sqlStoreOptionsFromUrl } from '../src/index.js';
import { MIGRATED_TEMPLATE } from './test-store.js';

describe('sqlStoreOptionsFromUrl', () => {
  it('maps postgres URLs to PostgreSQL and passes them on unchanged', () => {
    for (const url of ['postgres://q@db:5432/quarry?sslmode=require', 'postgresql://q@db/quarry', 'POSTGRES://q@db/quarry']) {
      assert.deepEqual(sqlStoreOptionsFromUrl(url, '/data', { poolMax: 4 }), { driver: 'postgres', url, poolMax: 4 });
    }
  });

  it('maps nothing to the data directory and a path to SQLite', () => {
    assert.deepEqual(sqlStoreOptionsFromUrl(undefined, '/data'), { driver: 'sqlite', path: join('/data', 'quarry.db') });
    assert.deepEqual(sqlStoreOptionsFromUrl('  ', '/data'), { driver: 'sqlite', path: join('/data', 'quarry.db') });
    assert.deepEqual(sqlStoreOptionsFromUrl('/srv/q.db', '/data'), { driver: 'sqlite', path: '/srv/q.db' });
    assert.deepEqual(sqlStoreOptionsFromUrl('rel/q.db', '/data'), { driver: 'sqlite', path: resolve('rel/q.db') });
    assert.deepEqual(sqlStoreOptionsFromUrl('sqlite:///srv/q.db', '/data'), { driver: 'sqlite', path: '/srv/q.db' });
    assert.deepEqual(sqlStoreOptionsFromUrl('file:/srv/q.db', '/data'), { driver: 'sqlite', path: '/srv/q.db' });
  });

  it('refuses other schemes with a message naming the supported ones', () => {
    assert.throws(() => sqlStoreOptionsFromUrl('mysql://q@db/quarry', '/data'), /unsupported database URL scheme "mysql".*postgres:\/\//);
  });
});

describeEachDialect('openSqlStoreFromUrl', (dialect) => {
  it('opens the database the URL names', async () => {
    const db = await makeTestDatabase(dialect, 'sql-store-url', MIGRATED_TEMPLATE);
    const url = db.options.driver === 'sqlite' ? db.options.path : db.options.url;
    const store = await openSqlStoreFromUrl(url, '/nonexistent');
    try {
      assert.deepEqual(await store.pendingMigrations(), []);
      assert.equal((await store.tasks.list({}, { limit: 1 })).length, 0);
    } finally {
      await store.close();
      await db.cleanup();
    }
  });
});
