import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Compilable } from 'kysely';
import { describeEachDialect } from '@quarry/testing';
import type { NewSubtaskRecord } from '@quarry/core';
import { makeTestStore, type TestStore } from './test-store.js';

const ENDPOINTS = ['a', 'b', 'c'].map((c) => c.repeat(32));
/** Paths that an array literal would have to quote or escape. */
const AWKWARD_PATHS = ['/tmp/a "quoted" name', 'C:\\Users\\x\\NTUSER.DAT', '/etc/{braces},comma', 'NULL', '/données/日本語 file', ''];

function subtask(taskId: number, endpointId: string, overrides: Partial<NewSubtaskRecord> = {}): NewSubtaskRecord {
  return {
    taskId, endpointId, state: 'queued', attempt: 0, maxAttempts: 3, failureCode: null, failureMessage: null,
    bytesTotal: null, bytesDone: 0, dispatchedAt: null, startedAt: null, finishedAt: null, deadlineAt: null, nextAttemptAt: null,
    createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, ...overrides,
  };
}

describeEachDialect('bulk inserts of a new task (subtasks, file ops) and migrations 0006-0007', (dialect) => {
  let t: TestStore;
  let taskId: number;
  before(async () => {
    t = await makeTestStore(dialect, 'task-inserts');
    for (const id of ENDPOINTS) {
      await t.store.db
        .insertInto('endpoints')
        .values({ id, short_id: id.slice(0, 24), hostname: `h-${id[0]}`, os: 'linux', os_version: '6', arch: 'x64', agent_version: '0', ip_addresses: '[]', agent_secret_hash: 'x', enrolled_at: 1, last_seen_at: null, connected: 0 })
        .execute();
    }
    taskId = await t.store.tasks.insert({
      kind: 'retrieval', name: 't', source: 'native', paths: AWKWARD_PATHS, createdBy: 'test', ttlSeconds: 60, maxAttempts: 3,
      expiresAt: 1_700_000_060_000, status: 'pending', finishedAt: null, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000,
    });
  });
  after(() => t.cleanup());

  it('returns subtask ids in input order and stores every field, nulls included', async () => {
    const records = [
      subtask(taskId, ENDPOINTS[2]!),
      subtask(taskId, ENDPOINTS[0]!, { failureMessage: 'it said "no", then \\ and {x,y}', bytesTotal: 2 ** 40, deadlineAt: 1_800_000_000_123 }),
      subtask(taskId, ENDPOINTS[1]!),
    ];
    const ids = await t.store.subtasks.insertMany(records);

    assert.equal(ids.length, 3);
    assert.deepEqual([...ids].sort((x, y) => x - y), ids);
    const stored = await Promise.all(ids.map((id) => t.store.subtasks.get(id)));
    assert.deepEqual(stored.map((s) => s?.endpointId), [ENDPOINTS[2], ENDPOINTS[0], ENDPOINTS[1]]);
    assert.deepEqual(
      { message: stored[1]?.failureMessage, total: stored[1]?.bytesTotal, deadline: stored[1]?.deadlineAt, state: stored[1]?.state },
      { message: records[1]!.failureMessage, total: 2 ** 40, deadline: 1_800_000_000_123, state: 'queued' },
    );
    assert.equal(stored[0]?.deadlineAt, null);
    assert.equal(stored[0]?.bytesTotal, null);
  });

  it('stores file op paths exactly, whatever characters they hold', async () => {
    const [subtaskId] = await t.store.subtasks.insertMany([subtask(taskId, ENDPOINTS[0]!)]);
    await t.store.fileOps.insertMany(AWKWARD_PATHS.map((path) => ({ subtaskId: subtaskId!, taskId, endpointId: ENDPOINTS[0]!, path })));

    const files = await t.store.fileOps.listBySubtasks([subtaskId!]);
    assert.deepEqual(files.map((f) => f.path), AWKWARD_PATHS);
    assert.ok(files.every((f) => f.state === 'pending' && f.bytesDone === 0 && f.sha256 === null));
  });

  it('finds file ops by hash and subtasks by deadline through the partial indexes', async () => {
    const byHash = await planOf(t.store.db.selectFrom('file_ops').select('id').where('sha256', '=', 'ab'.repeat(32)));
    const byDeadline = await planOf(t.store.db.selectFrom('subtasks').select('id').where('deadline_at', '<=', 1_800_000_000_000));
    assert.match(byHash, /file_ops_sha256_idx/);
    assert.match(byDeadline, /subtasks_deadline_idx/);
  });

  it('keeps no per-row checks on those inserts that nothing needs (0007)', async () => {
    if (dialect === 'sqlite') {
      const indexes = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'file_ops'`.execute(t.store.db);
      assert.ok(!indexes.rows.some((r) => r.name === 'file_ops_path_idx'));
      assert.ok(indexes.rows.some((r) => r.name === 'file_ops_endpoint_idx'), 'the indexes queries use stay');
      return;
    }
    const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'file_ops'`.execute(t.store.db);
    assert.ok(!indexes.rows.some((r) => r.indexname === 'file_ops_path_idx'));
    assert.ok(indexes.rows.some((r) => r.indexname === 'file_ops_endpoint_idx'), 'the indexes queries use stay');
    const keys = await sql<{ conname: string }>`
      select conname from pg_constraint where contype = 'f' and conrelid in ('subtasks'::regclass, 'file_ops'::regclass) order by conname`.execute(t.store.db);
    // Left: the keys set long after insert (upload and content of a retrieved file).
    assert.deepEqual(keys.rows.map((r) => r.conname), ['file_ops_content_sha256_fkey', 'file_ops_upload_id_fkey']);
    // Rows are still inserted and read back whole without them.
    const [subtaskId] = await t.store.subtasks.insertMany([subtask(taskId, ENDPOINTS[1]!)]);
    await t.store.fileOps.insertMany([{ subtaskId: subtaskId!, taskId, endpointId: ENDPOINTS[1]!, path: '/x' }]);
    assert.equal((await t.store.fileOps.listBySubtasks([subtaskId!]))[0]?.endpointId, ENDPOINTS[1]);
  });

  async function planOf(q: Compilable): Promise<string> {
    const c = q.compile();
    if (dialect === 'sqlite') {
      return (await t.store.db.executeQuery<{ detail: string }>({ ...c, sql: `explain query plan ${c.sql}` })).rows.map((r) => r.detail).join('\n');
    }
    // Tiny tables are cheaper to scan; forbid that to see which index the query can use.
    return t.store.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return (await trx.executeQuery<{ 'QUERY PLAN': string }>({ ...c, sql: `explain ${c.sql}` })).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  }
});
