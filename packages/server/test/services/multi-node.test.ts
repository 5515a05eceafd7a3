import { it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createQuarryServices, type DomainEvent, type QuarryServices } from '@quarry/core';
import { openSqlStore, type SqlStore } from '@quarry/storage-sql';
import { LocalBlobStore } from '@quarry/storage-blob-local';
import { describeEachDialect } from '@quarry/testing';
import { createChunkVault, createNodeSecrets } from '../../src/vault/index.js';
import { ADMIN, TEST_SETTINGS, createHarness, enrolEndpoint, type Harness } from './service-harness.js';

const ENDPOINTS = 3;
const TASKS = 30;
const SUBTASKS = ENDPOINTS * TASKS;

/**
 * Two server nodes on one database: node 1 is the harness; node 2 has its own store (its own
 * connection pool), vault and event sink, and shares the clock.
 */
describeEachDialect('two server nodes on one database', (dialect) => {
  let h: Harness;
  let store2: SqlStore;
  let node2: QuarryServices;
  let events2: DomainEvent[];
  let endpoints: string[];

  /**
   * PostgreSQL: really at the same time, each node on its own pool. SQLite: better-sqlite3 waits
   * for a lock synchronously, so two connections in one process must take turns (real nodes are
   * separate processes and queue on busy_timeout).
   */
  async function atOnce<T>(jobs: Array<() => Promise<T>>): Promise<T[]> {
    if (dialect === 'postgres') return Promise.all(jobs.map((job) => job()));
    const out: T[] = [];
    for (const job of jobs) out.push(await job());
    return out;
  }

  async function createTasks(options: { maxAttempts?: number; ttlSeconds?: number } = {}): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < TASKS; i++) ids.push((await h.services.retrievals.create(ADMIN, { endpoints, paths: [`/f${i}`], ...options })).id);
    return ids;
  }

  /** Every node claims every endpoint's work twice, all at once. */
  async function claimEverywhere(): Promise<number[]> {
    const jobs = [];
    for (const node of [h.services, node2, h.services, node2]) {
      for (const e of endpoints) jobs.push(() => node.agentWork.claimCommands(e, { resendInFlight: false }));
    }
    return (await atOnce(jobs)).flat().map((c) => c.subtaskId);
  }

  async function statuses(taskIds: number[]): Promise<string[]> {
    return [...new Set(await Promise.all(taskIds.map(async (id) => (await h.services.retrievals.getTask(id)).status)))];
  }

  beforeEach(async () => {
    h = await createHarness(dialect, { maxTargetEndpoints: ENDPOINTS });
    store2 = await openSqlStore(h.database.options);
    const masterKey = randomBytes(32);
    events2 = [];
    node2 = createQuarryServices({
      store: store2,
      vault: createChunkVault({ blobs: new LocalBlobStore(join(h.dir, 'blobs2')), masterKey }),
      secrets: createNodeSecrets(masterKey),
      clock: h.clock,
      events: { publish: (e) => void events2.push(e) },
      logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } },
      settings: { ...TEST_SETTINGS, maxTargetEndpoints: ENDPOINTS },
    });
    endpoints = [];
    for (let i = 0; i < ENDPOINTS; i++) endpoints.push((await enrolEndpoint(h)).endpointId);
  });
  afterEach(async () => {
    await store2.close();
    await h.close();
  });

  it('dispatches each subtask exactly once when both nodes claim at once', async () => {
    const taskIds = await createTasks();
    const stale = await store2.subtasks.listClaimable(endpoints[0]!, h.clock.now().getTime(), 100);

    const claimed = await claimEverywhere();

    assert.equal(claimed.length, SUBTASKS);
    assert.equal(new Set(claimed).size, SUBTASKS);
    assert.equal(stale.length, TASKS);
    assert.equal(await store2.subtasks.update(stale[0]!.id, { state: 'queued', attempt: 0 }, { state: 'dispatched', attempt: 1 }), false);
    for (const id of taskIds) {
      const detail = await h.services.retrievals.get(id);
      assert.deepEqual(detail.subtasks.items.map((s) => [s.state, s.attempt]), endpoints.map(() => ['dispatched', 1]));
    }
    assert.deepEqual(await statuses(taskIds), ['running']);
  });

  it('retries, releases and times out each overdue subtask once when both nodes tick at once', async () => {
    const taskIds = await createTasks({ maxAttempts: 2 });
    assert.equal((await claimEverywhere()).length, SUBTASKS);
    h.clock.advance(TEST_SETTINGS.inactivityTimeoutSeconds + 1);

    const retried = await atOnce([() => h.services.engine.tick(), () => node2.engine.tick()]);
    h.clock.advance(TEST_SETTINGS.retryBaseDelaySeconds * 2);
    const released = await atOnce([() => h.services.engine.tick(), () => node2.engine.tick()]);
    const reclaimed = await claimEverywhere();
    h.clock.advance(TEST_SETTINGS.inactivityTimeoutSeconds + 1);
    const timedOut = await atOnce([() => h.services.engine.tick(), () => node2.engine.tick()]);

    assert.equal(retried[0]!.retried + retried[1]!.retried, SUBTASKS);
    assert.equal(released[0]!.released + released[1]!.released, SUBTASKS);
    assert.equal(new Set(reclaimed).size, SUBTASKS);
    assert.equal(reclaimed.length, SUBTASKS);
    assert.equal(timedOut[0]!.timedOut + timedOut[1]!.timedOut, SUBTASKS);
    const cancels = [...h.events, ...events2].filter((e) => e.type === 'cancel');
    assert.equal(cancels.length, 2 * SUBTASKS, 'one cancel per timed-out attempt');
    assert.deepEqual(await statuses(taskIds), ['failed']);
  });

  it('expires queued work once when both nodes tick at once', async () => {
    const taskIds = await createTasks({ ttlSeconds: 60 });
    h.clock.advance(60);

    const ticks = await atOnce([() => h.services.engine.tick(), () => node2.engine.tick()]);

    assert.equal(ticks[0]!.expired + ticks[1]!.expired, SUBTASKS);
    assert.deepEqual(await statuses(taskIds), ['expired']);
    assert.deepEqual(await claimEverywhere(), []);
  });
});
