import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DomainEvent } from '@quarry/core';
import { openSqlStore } from '@quarry/storage-sql';
import { dialectUnavailable, makeTempDir, makeTestDatabase, type TestDatabase } from '@quarry/testing';
import pg from 'pg';
import { pino } from 'pino';
import { createEventBus } from '../src/events/event-bus.js';
import { createPgNotifyRelay, type PgNotifyRelay } from '../src/events/pg-notify-relay.js';
import { runServerCli } from '../src/run-server-cli.js';

const silent = pino({ level: 'silent' });
const unavailable = dialectUnavailable('postgres');
const id = (i: number): string => i.toString(16).padStart(32, '0');

/** Polls until `fn` is true; bounded. */
async function until(fn: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function cliIo(env: Record<string, string>) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { stdout: { write: (s: string) => (out.stdout += s) }, stderr: { write: (s: string) => (out.stderr += s) }, env, stopSignal: Promise.resolve() },
  };
}

describe('postgres: scale-out start-up and event relay', { skip: unavailable !== false && process.env.REQUIRE_ALL_SERVICES !== '1' ? unavailable : false }, () => {
  let db: TestDatabase;
  let url: string;
  before(async () => {
    assert.equal(unavailable, false, 'REQUIRE_ALL_SERVICES=1 but QUARRY_TEST_DATABASE_URL is not set');
    db = await makeTestDatabase('postgres', 'scale-out');
    url = (db.options as { url: string }).url;
  });
  after(async () => db?.cleanup());

  it('refuses pending migrations (exit 2), migrates with `server migrate`, then starts', async () => {
    const tmp = await makeTempDir('quarry-scale-out');
    try {
      const env = { QUARRY_DATABASE_URL: url, QUARRY_DATA_DIR: tmp.dir, QUARRY_PORT: '0', QUARRY_LOG_LEVEL: 'silent' };
      const refused = cliIo(env);
      assert.equal(await runServerCli([], refused.io), 2);
      assert.match(refused.out.stderr, /refusing to start:[\s\S]*pending migration\(s\) \(0001_initial/);

      const migrate = cliIo(env);
      assert.equal(await runServerCli(['migrate'], migrate.io), 0, migrate.out.stderr);
      assert.match(migrate.out.stdout, /Applied \d+ migration\(s\): 0001_initial/);

      const started = cliIo(env);
      assert.equal(await runServerCli([], started.io), 0, started.out.stderr);
      assert.match(started.out.stdout, /listening on http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      await tmp.cleanup();
    }
  });

  it('refuses a database migrated by a newer release, even with --migrate', async () => {
    const tmp = await makeTempDir('quarry-scale-out');
    const store = await openSqlStore({ driver: 'postgres', url });
    try {
      await store.migrate();
      await store.db.insertInto('kysely_migration' as never).values({ name: '9999_from_the_future', timestamp: new Date().toISOString() } as never).execute();
      const cli = cliIo({ QUARRY_DATABASE_URL: url, QUARRY_DATA_DIR: tmp.dir, QUARRY_PORT: '0', QUARRY_LOG_LEVEL: 'silent' });
      assert.equal(await runServerCli(['--migrate'], cli.io), 2);
      assert.match(cli.out.stderr, /does not know \(9999_from_the_future\)/);
    } finally {
      await store.db.deleteFrom('kysely_migration' as never).where('name' as never, '=', '9999_from_the_future' as never).execute();
      await store.close();
      await tmp.cleanup();
    }
  });

  describe('pg-notify relay', () => {
    let relayA: PgNotifyRelay;
    let relayB: PgNotifyRelay;
    const seenA: DomainEvent[] = [];
    const seenB: DomainEvent[] = [];
    before(async () => {
      const busA = createEventBus(silent);
      const busB = createEventBus(silent);
      busA.subscribe(() => true, (e) => seenA.push(e));
      busB.subscribe(() => true, (e) => seenB.push(e));
      relayA = createPgNotifyRelay({ url, bus: busA, logger: silent, channel: 'quarry_test_relay' });
      relayB = createPgNotifyRelay({ url, bus: busB, logger: silent, channel: 'quarry_test_relay' });
      await Promise.all([relayA.start(), relayB.start()]);
    });
    after(async () => {
      await relayA?.close();
      await relayB?.close();
    });

    it("re-publishes another node's events, split to fit, and never echoes a node's own", async () => {
      const ids = Array.from({ length: 1000 }, (_, i) => id(i));
      relayA.publish({ type: 'work-available', endpointIds: ids.slice(0, 700) });
      relayA.publish({ type: 'work-available', endpointIds: ids.slice(500) });
      relayA.publish({ type: 'cancel', endpointId: id(3), subtaskId: 9, attempt: 1 });

      const received = () => new Set(seenB.flatMap((e) => (e.type === 'work-available' ? e.endpointIds : [])));
      await until(() => received().size === 1000 && seenB.some((e) => e.type === 'cancel'), 'node B to hear every endpoint');
      assert.deepEqual(received(), new Set(ids));

      relayB.publish({ type: 'task', taskId: 1, status: 'running', counts: {} as never });
      await until(() => seenA.some((e) => e.type === 'task'), 'node A to hear node B');
      // Node A's own three events reached its bus once each, directly; none came back via NOTIFY.
      assert.equal(seenA.filter((e) => e.type !== 'task').length, 3);
      assert.equal(seenB.filter((e) => e.type === 'task').length, 1);
    });

    it('reconnects its LISTEN connection after the database drops it', async () => {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'quarry-notify' and datname = current_database()`);
      } finally {
        await admin.end();
      }
      await until(() => !relayB.listening(), 'the LISTEN connection to drop');
      await until(() => relayB.listening(), 'the LISTEN connection to come back', 15_000);
      const before = seenB.length;
      relayA.publish({ type: 'cancel', endpointId: id(4), subtaskId: 10, attempt: 1 });
      await until(() => seenB.length > before, 'node B to hear node A again');
    });
  });
});
