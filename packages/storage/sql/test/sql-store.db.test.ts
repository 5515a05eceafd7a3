import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { isStoreError } from '@quarry/core';
import { describeEachDialect, type TestDialect } from '@quarry/testing';
import { migrationNames, type SqlStore } from '../src/index.js';
import { makeTestStore, type TestStore } from './test-store.js';

/** Tables of the first migration; later ones add more (see the schema snapshot). */
const TABLES = ['audit_events', 'contents', 'credentials', 'endpoints', 'enroll_tokens', 'file_ops', 'links', 'subtasks', 'tasks', 'upload_chunks', 'uploads'];

const auditEntry = { at: 1, actorType: 'system' as const, actorId: 't', action: 'x', targetType: null, targetId: null, ip: null, details: {} };

function endpoint(id: string) {
  return {
    id,
    shortId: id.slice(0, 24),
    hostname: `host-${id.slice(0, 4)}`,
    os: 'linux' as const,
    osVersion: '6.1',
    arch: 'x64',
    agentVersion: '0.1.0',
    ipAddresses: ['10.0.0.1'],
    agentSecretHash: 'h',
    enrolledAt: 1_900_000_000_000,
    lastSeenAt: null,
    connected: false,
  };
}

/** What the driver threw, outside any store wrapper. */
async function rawError(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => assert.fail('expected the database to refuse'),
    (err: unknown) => err,
  );
}

describeEachDialect('openSqlStore', (dialect: TestDialect) => {
  it('lists pending migrations, applies them once, and creates every table', async () => {
    const t = await makeTestStore(dialect, 'sql-store-migrate', { migrated: false });
    try {
      assert.deepEqual(await t.store.pendingMigrations(), migrationNames());

      await t.store.migrate();
      await t.store.migrate();

      assert.deepEqual(await t.store.pendingMigrations(), []);
      assert.deepEqual(await t.store.unknownMigrations(), []);
      const tables = Object.keys(await t.store.describeSchema());
      assert.deepEqual(TABLES.filter((name) => !tables.includes(name)), []);
    } finally {
      await t.cleanup();
    }
  });

  it('configures the connection for concurrent nodes', async () => {
    const t = await makeTestStore(dialect, 'sql-store-settings');
    try {
      if (dialect === 'sqlite') {
        const journal = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(t.store.db);
        assert.equal(journal.rows[0]?.journal_mode, 'wal');
        const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(t.store.db);
        assert.equal(fk.rows[0]?.foreign_keys, 1);
      } else {
        const level = await t.store.db.transaction().execute(async (trx) => (await sql<{ l: string }>`select current_setting('transaction_isolation') as l`.execute(trx)).rows[0]?.l);
        assert.equal(level, 'read committed');
      }
      const big = await sql<{ n: number; s: number }>`select cast(9007199254740991 as bigint) as n, sum(cast(2 as bigint)) as s`.execute(t.store.db);
      assert.deepEqual(big.rows[0], { n: Number.MAX_SAFE_INTEGER, s: 2 });
    } finally {
      await t.cleanup();
    }
  });

  describe('store', () => {
    let t: TestStore;
    let store: SqlStore;
    before(async () => {
      t = await makeTestStore(dialect, 'sql-store');
      store = t.store;
    });
    after(async () => {
      await t.cleanup();
    });

    it('rolls a transaction back as a whole and lets nested calls join it', async () => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.audit.append(auditEntry);
          await tx.transaction(async (inner) => inner.audit.append(auditEntry));
          throw new Error('boom');
        }),
        /boom/,
      );
      await store.transaction(async (tx) => tx.transaction(async (inner) => inner.audit.append(auditEntry)));

      assert.equal((await store.audit.list({}, { limit: 10 })).length, 1);
    });

    it('translates unique and foreign-key violations', async () => {
      const id = 'a'.repeat(32);
      await store.endpoints.insert(endpoint(id));

      await assert.rejects(store.endpoints.insert(endpoint(id)), (e) => isStoreError(e, 'unique_violation'));
      // A sweep for a task that does not exist (subtasks no longer check theirs on PostgreSQL: 0007).
      const orphan = { taskId: 999_999, criteria: { roots: ['/'], names: [], minSize: null, maxSize: null, modifiedSince: null, hashes: [], budgets: { maxFiles: 1, maxBytesHashed: 1, maxDepth: 1, maxSeconds: 1 } }, createdAt: 1 };
      await assert.rejects(store.sweeps.insert(orphan), (e) => isStoreError(e, 'foreign_key_violation'));
      await assert.rejects(store.transaction((tx) => tx.endpoints.insert(endpoint(id))), (e) => isStoreError(e, 'unique_violation'));
    });

    it('keeps the audit log append-only and reports it as such', async () => {
      const id = await store.audit.append({ ...auditEntry, action: 'kept' });

      const update = await rawError(store.db.updateTable('audit_events').set({ action: 'changed' }).where('id', '=', id).execute());
      const remove = await rawError(store.db.deleteFrom('audit_events').where('id', '=', id).execute());

      for (const err of [update, remove]) {
        await assert.rejects(store.transaction(async () => Promise.reject(err)), (e) => isStoreError(e, 'append_only'));
      }
      assert.equal((await store.audit.list({ action: 'kept' }, { limit: 5 })).length, 1);
    });

    it('returns bigint columns and counts as numbers', async () => {
      const at = Date.UTC(2100, 0, 1);
      const id = await store.audit.append({ ...auditEntry, at, action: 'big' });

      const [row] = await store.audit.list({ action: 'big' }, { limit: 1 });

      assert.equal(typeof id, 'number');
      assert.equal(row?.at, at);
      assert.equal(await store.credentials.countActiveAdmins(), 0);
    });
  });
});
