import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openSqlStore } from '../src/index.js';

describe('sqlite: openSqlStore', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quarry-sql-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists pending migrations, applies them once, and enables WAL and foreign keys', async () => {
    const store = await openSqlStore({ driver: 'sqlite', path: join(dir, 'a.db') });
    try {
      assert.deepEqual(await store.pendingMigrations(), ['0001_initial']);

      await store.migrate();
      await store.migrate();

      assert.deepEqual(await store.pendingMigrations(), []);
      const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      assert.equal(journal.rows[0]?.journal_mode, 'wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
      assert.equal(fk.rows[0]?.foreign_keys, 1);
      const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'kysely%' and name not like 'sqlite%' order by name`.execute(store.db);
      assert.deepEqual(tables.rows.map((r) => r.name), [
        'audit_events', 'contents', 'credentials', 'endpoints', 'enroll_tokens', 'file_ops', 'links', 'subtasks', 'tasks', 'upload_chunks', 'uploads',
      ]);
    } finally {
      await store.close();
    }
  });

  it('rolls a transaction back as a whole and lets nested calls join it', async () => {
    const store = await openSqlStore({ driver: 'sqlite', path: join(dir, 'b.db') });
    try {
      await store.migrate();
      const entry = { at: 1, actorType: 'system' as const, actorId: 't', action: 'x', targetType: null, targetId: null, ip: null, details: {} };

      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.audit.append(entry);
          await tx.transaction(async (inner) => inner.audit.append(entry));
          throw new Error('boom');
        }),
        /boom/,
      );
      await store.transaction(async (tx) => tx.transaction(async (inner) => inner.audit.append(entry)));

      assert.equal((await store.audit.list({}, { limit: 10 })).length, 1);
    } finally {
      await store.close();
    }
  });
});
