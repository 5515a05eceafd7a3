import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createQuarryServices, type QuarryServices } from '@quarry/core';
import { openSqlStore, type SqlStore } from '@quarry/storage-sql';
import { LocalBlobStore } from '@quarry/storage-blob-local';
import { createChunkVault, createNodeSecrets } from '../../src/vault/index.js';
import { ADMIN, TEST_SETTINGS, createHarness, enrolEndpoint, type Harness } from './service-harness.js';

/** A second server node: its own connection to the same database file, same clock. */
describe('two nodes on one SQLite file', () => {
  let h: Harness;
  let store2: SqlStore;
  let node2: QuarryServices;

  before(async () => {
    h = await createHarness();
    store2 = await openSqlStore({ driver: 'sqlite', path: join(h.dir, 'quarry.db') });
    const masterKey = randomBytes(32);
    node2 = createQuarryServices({
      store: store2,
      vault: createChunkVault({ blobs: new LocalBlobStore(join(h.dir, 'blobs2')), masterKey }),
      secrets: createNodeSecrets(masterKey),
      clock: h.clock,
      events: { publish() {} },
      logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } },
      settings: TEST_SETTINGS,
    });
  });
  after(async () => {
    await store2.close();
    await h.close();
  });

  // Interleaved, not parallel: better-sqlite3 waits for a lock synchronously, so two connections in
  // one process would block each other's event loop. Real nodes are separate processes.
  it('hands each subtask to one claim and applies each timeout once across connections', async () => {
    const endpoints = [];
    for (let i = 0; i < 3; i++) endpoints.push((await enrolEndpoint(h)).endpointId);
    for (let i = 0; i < 4; i++) await h.services.retrievals.create(ADMIN, { endpoints, paths: [`/f${i}`] });
    const stale = await store2.subtasks.listClaimable(endpoints[0]!, h.clock.now().getTime(), 100);

    const claims = [];
    for (const e of endpoints) {
      claims.push(await h.services.agentWork.claimCommands(e, { resendInFlight: false }));
      claims.push(await node2.agentWork.claimCommands(e, { resendInFlight: false }));
    }

    const ids = claims.flat().map((c) => c.subtaskId);
    assert.equal(ids.length, 12);
    assert.equal(new Set(ids).size, 12);
    assert.equal(stale.length, 4);
    assert.equal(await store2.subtasks.update(stale[0]!.id, { state: 'queued', attempt: 0 }, { state: 'dispatched', attempt: 1 }), false);
    h.clock.advance(121);
    const ticks = [await node2.engine.tick(), await h.services.engine.tick()];
    assert.deepEqual(ticks.map((t) => t.retried), [12, 0]);
  });
});
