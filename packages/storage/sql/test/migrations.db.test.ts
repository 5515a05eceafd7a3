import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDialect } from '@quarry/testing';
import { UnknownMigrationsError, migrationNames } from '../src/index.js';
import { describeMigration } from './migration-harness.js';
import { makeTestStore } from './test-store.js';

// The first migration has no previous schema to seed; it shows the pattern the next one follows.
describeMigration({
  name: '0001_initial',
  async seed() {},
  async verify(db) {
    const task = await db
      .insertInto('tasks')
      .values({ kind: 'retrieval', name: 'n', source: 'native', paths: '[]', created_by: 'c', ttl_seconds: 60, max_attempts: 3, expires_at: 2, status: 'pending', finished_at: null, created_at: 1, updated_at: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    assert.equal(task.id, 1);
    assert.deepEqual(await db.selectFrom('subtasks').select('id').execute(), []);
  },
});

const ENDPOINT = 'e'.repeat(32);

// Data written before sweeps existed keeps working and can be referenced by the new tables.
describeMigration({
  name: '0002_add_sweeps',
  async seed(db) {
    await db
      .insertInto('endpoints')
      .values({ id: ENDPOINT, short_id: 'e'.repeat(24), hostname: 'h', os: 'linux', os_version: '6', arch: 'x64', agent_version: '0', ip_addresses: '[]', agent_secret_hash: 'x', enrolled_at: 1, last_seen_at: null, connected: 0 })
      .execute();
    await db
      .insertInto('tasks')
      .values({ kind: 'retrieval', name: 'old', source: 'native', paths: '["/a"]', created_by: 'c', ttl_seconds: 60, max_attempts: 3, expires_at: 2, status: 'pending', finished_at: null, created_at: 1, updated_at: 1 })
      .execute();
    await db
      .insertInto('subtasks')
      .values({ task_id: 1, endpoint_id: ENDPOINT, state: 'queued', attempt: 0, max_attempts: 3, bytes_done: 0, created_at: 1, updated_at: 1 })
      .execute();
  },
  async verify(db) {
    const task = await db.selectFrom('tasks').select(['id', 'name', 'paths']).executeTakeFirstOrThrow();
    assert.deepEqual(task, { id: 1, name: 'old', paths: '["/a"]' });
    await db.insertInto('sweeps').values({ task_id: 1, criteria: '{}', created_at: 3 }).execute();
    const element = await db
      .insertInto('file_elements')
      .values({ guid: 'g', endpoint_id: ENDPOINT, path: '/a', name: 'a', size: 1, mtime: null, owner: null, md5: 'm', sha1: 's', sha256: 'h', first_seen_at: 3, last_seen_at: 3, last_task_id: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('sweep_results').values({ task_id: 1, subtask_id: 1, element_id: element.id, seen_at: 3 }).execute();
    assert.equal((await db.selectFrom('sweep_results').selectAll().execute()).length, 1);
  },
});

// Counters on the task row start out equal to what the existing subtasks and file ops say.
describeMigration({
  name: '0003_add_task_counters',
  async seed(db) {
    await db
      .insertInto('endpoints')
      .values({ id: ENDPOINT, short_id: 'e'.repeat(24), hostname: 'h', os: 'linux', os_version: '6', arch: 'x64', agent_version: '0', ip_addresses: '[]', agent_secret_hash: 'x', enrolled_at: 1, last_seen_at: null, connected: 0 })
      .execute();
    const task = { kind: 'retrieval', name: 't', source: 'native', paths: '["/a"]', created_by: 'c', ttl_seconds: 60, max_attempts: 3, expires_at: 2, status: 'running', finished_at: null, created_at: 1, updated_at: 1 };
    await db.insertInto('tasks').values([task, task, task]).execute();
    const subtask = (task_id: number, state: string) => ({ task_id, endpoint_id: ENDPOINT, state, attempt: 1, max_attempts: 3, bytes_done: 0, created_at: 1, updated_at: 1 });
    await db
      .insertInto('subtasks')
      .values([subtask(1, 'queued'), subtask(1, 'queued'), subtask(1, 'running'), subtask(1, 'failed'), subtask(2, 'succeeded'), subtask(2, 'expired'), subtask(2, 'timed_out'), subtask(2, 'cancelled'), subtask(2, 'uploading'), subtask(2, 'dispatched')])
      .execute();
    const file = (subtask_id: number, task_id: number, state: string) => ({
      subtask_id, task_id, endpoint_id: ENDPOINT, path: '/a', state, failure_code: null, failure_message: null, size: null, mtime: null, bytes_done: 0,
      md5: null, sha1: null, sha256: null, upload_id: null, content_sha256: null, retrieved_at: null,
    });
    await db.insertInto('file_ops').values([file(4, 1, 'succeeded'), file(4, 1, 'failed'), file(5, 2, 'succeeded'), file(5, 2, 'succeeded'), file(9, 2, 'uploading')]).execute();
  },
  async verify(db) {
    const rows = await db
      .selectFrom('tasks')
      .select(['id', 'count_queued', 'count_dispatched', 'count_running', 'count_uploading', 'count_succeeded', 'count_failed', 'count_timed_out', 'count_cancelled', 'count_expired', 'files_succeeded'])
      .orderBy('id')
      .execute();
    const zero = { count_queued: 0, count_dispatched: 0, count_running: 0, count_uploading: 0, count_succeeded: 0, count_failed: 0, count_timed_out: 0, count_cancelled: 0, count_expired: 0, files_succeeded: 0 };
    assert.deepEqual(
      rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]))),
      [
        { ...zero, id: 1, count_queued: 2, count_running: 1, count_failed: 1, files_succeeded: 1 },
        { ...zero, id: 2, count_succeeded: 1, count_expired: 1, count_timed_out: 1, count_cancelled: 1, count_uploading: 1, count_dispatched: 1, files_succeeded: 2 },
        { ...zero, id: 3 },
      ],
    );
    // New rows start at zero without naming the columns.
    await db.insertInto('tasks').values({ kind: 'retrieval', name: 'n', source: 'native', paths: '[]', created_by: 'c', ttl_seconds: 60, max_attempts: 3, expires_at: 2, status: 'pending', finished_at: null, created_at: 1, updated_at: 1 }).execute();
    const fresh = await db.selectFrom('tasks').select(['count_queued', 'files_succeeded']).where('id', '=', 4).executeTakeFirstOrThrow();
    assert.deepEqual([Number(fresh.count_queued), Number(fresh.files_succeeded)], [0, 0]);
  },
});

describeEachDialect('migration status', (dialect) => {
  it('reports migrations the code does not know and refuses to migrate over them', async () => {
    const t = await makeTestStore(dialect, 'migrations-unknown');
    try {
      await sql`insert into kysely_migration (name, timestamp) values ('9999_from_the_future', '2100-01-01T00:00:00.000Z')`.execute(t.store.db);

      const unknown = await t.store.unknownMigrations();
      const refusal = await t.store.migrate().then(() => null, (err: unknown) => err);

      assert.deepEqual(unknown, ['9999_from_the_future']);
      assert.ok(refusal instanceof UnknownMigrationsError);
      assert.deepEqual(refusal.migrations, ['9999_from_the_future']);
      assert.deepEqual(await t.store.pendingMigrations(), []);
    } finally {
      await t.cleanup();
    }
  });

  it('reports nothing unknown and everything pending on an empty database', async () => {
    const t = await makeTestStore(dialect, 'migrations-empty', { migrated: false });
    try {
      assert.deepEqual(await t.store.unknownMigrations(), []);
      assert.deepEqual(await t.store.pendingMigrations(), migrationNames());
    } finally {
      await t.cleanup();
    }
  });

  it('lets two nodes migrate the same database at once; each migration runs once', async () => {
    const t = await makeTestStore(dialect, 'migrations-concurrent', { migrated: false });
    try {
      const other = await t.openAnother();

      // PostgreSQL: truly concurrent, Kysely's advisory lock serialises them. SQLite: better-sqlite3
      // waits for a lock synchronously, so two connections in one process must take turns (two
      // processes queue on busy_timeout inside BEGIN IMMEDIATE).
      if (dialect === 'postgres') await Promise.all([t.store.migrate(), other.migrate()]);
      else for (const s of [t.store, other]) await s.migrate();

      const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(t.store.db);
      assert.deepEqual(rows.rows.map((r) => r.name), migrationNames());
      assert.deepEqual(await other.pendingMigrations(), []);
    } finally {
      await t.cleanup();
    }
  });
});
