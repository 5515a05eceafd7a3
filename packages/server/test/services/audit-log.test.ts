import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { isStoreError } from '@quarry/core';
import { describeEachDialect } from '@quarry/testing';
import { ADMIN, createHarness, type Harness } from './service-harness.js';

describeEachDialect('audit log', (dialect) => {
  let h: Harness;
  before(async () => {
    h = await createHarness(dialect);
  });
  after(async () => {
    await h.close();
  });

  it('records actor, ip, target and details, newest first, with filters', async () => {
    await h.services.audit.record(ADMIN, 'test.one', { type: 'thing', id: '1' }, { n: 1 });
    h.clock.advance(10);
    await h.services.audit.record({ type: 'system', id: 'engine', ip: null }, 'test.two', null);

    const all = await h.services.audit.list({});
    const one = await h.services.audit.list({ action: 'test.one' });
    const since = await h.services.audit.list({ since: h.clock.now().toISOString() });

    assert.deepEqual(all.items.slice(0, 2).map((e) => e.action), ['test.two', 'test.one']);
    assert.deepEqual(one.items[0], {
      id: one.items[0]!.id,
      at: new Date(h.clock.now().getTime() - 10_000).toISOString(),
      actorType: 'credential',
      actorId: '00000000000000aa',
      action: 'test.one',
      targetType: 'thing',
      targetId: '1',
      ip: '127.0.0.1',
      details: { n: 1 },
    });
    assert.deepEqual(since.items.map((e) => e.action), ['test.two']);
  });

  it('is append-only: the database refuses UPDATE and DELETE', async () => {
    await h.services.audit.record(ADMIN, 'test.keep', null);

    await assert.rejects(sql`update audit_events set action = 'tampered'`.execute(h.store.db), /append-only/);
    await assert.rejects(sql`delete from audit_events`.execute(h.store.db), /append-only/);

    const after = await h.services.audit.list({ action: 'test.keep' });
    assert.equal(after.items.length, 1);
  });

  it('translates constraint failures into StoreErrors at the adapter', async () => {
    const record = {
      id: 'dupdupdupdupdupd',
      name: 'x',
      role: 'viewer' as const,
      canDownload: false,
      secretHash: 'h',
      createdAt: 1,
      createdBy: 'test',
      lastUsedAt: null,
      revokedAt: null,
    };
    await h.store.credentials.insert(record);

    await assert.rejects(h.store.credentials.insert(record), (e) => isStoreError(e, 'unique_violation'));
    // A sweep of a task that does not exist (new subtasks no longer check theirs on PostgreSQL: migration 0007).
    await assert.rejects(
      h.store.sweeps.insert({ taskId: 424242, criteria: { roots: ['/'], names: [], minSize: null, maxSize: null, modifiedSince: null, hashes: [], budgets: { maxFiles: 1, maxBytesHashed: 1, maxDepth: 1, maxSeconds: 1 } }, createdAt: 1 }),
      (e) => isStoreError(e, 'foreign_key_violation'),
    );
  });

  it('reports no pending migrations after migrate', async () => {
    assert.deepEqual(await h.store.pendingMigrations(), []);
  });
});
