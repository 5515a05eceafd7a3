import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  createQuarryServices,
  type Actor,
  type Clock,
  type DomainEvent,
  type EngineSettings,
  type Logger,
  type ChunkVault,
  type QuarryServices,
} from '@quarry/core';
import { migrationsFingerprint, openSqlStore, type SqlStore } from '@quarry/storage-sql';
import { makeTestDatabase, makeTempDir, type TestDatabase, type TestDatabaseTemplate, type TestDialect } from '@quarry/testing';
import { LocalBlobStore } from '@quarry/storage-blob-local';
import { createChunkVault, createNodeSecrets } from '../../src/vault/index.js';

/** A clock tests move by hand; nothing in these suites sleeps. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start = Date.UTC(2030, 0, 1)) {
    this.#ms = start;
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

export const TEST_SETTINGS: EngineSettings = {
  chunkSize: 1024,
  defaultTtlSeconds: 3600,
  inactivityTimeoutSeconds: 120,
  defaultMaxAttempts: 3,
  retryBaseDelaySeconds: 10,
  linkTtlSeconds: 600,
  maxLinkTtlSeconds: 3600,
  onlineWindowSeconds: 90,
  maxTargetEndpoints: 5,
  maxTargetPaths: 4,
};

export const ADMIN: Actor = { type: 'credential', id: '00000000000000aa', name: 'test admin', role: 'admin', canDownload: true, ip: '127.0.0.1' };

export interface Harness {
  dialect: TestDialect;
  services: QuarryServices;
  store: SqlStore;
  /** The harness's database; open another store on it to play a second server node. */
  database: TestDatabase;
  clock: ManualClock;
  events: DomainEvent[];
  vault: ChunkVault;
  /** Temp directory for blobs and other files; removed by close(). */
  dir: string;
  close(): Promise<void>;
}

/** Test databases are copied from one migrated once per migration set (PostgreSQL). */
const MIGRATED: TestDatabaseTemplate = {
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

/**
 * A brand-new database of `dialect` (SQLite temp file, or a PostgreSQL database of its own), a real
 * vault over a real blob directory, and a manual clock.
 */
export async function createHarness(dialect: TestDialect, settings: Partial<EngineSettings> = {}): Promise<Harness> {
  const tmp = await makeTempDir('quarry-services');
  const database = await makeTestDatabase(dialect, 'services', MIGRATED);
  const store = await openSqlStore(database.options);
  const dir = tmp.dir;
  const masterKey = randomBytes(32);
  const clock = new ManualClock();
  const events: DomainEvent[] = [];
  const vault = createChunkVault({ blobs: new LocalBlobStore(join(dir, 'blobs')), masterKey });
  const services = createQuarryServices({
    store,
    vault,
    secrets: createNodeSecrets(masterKey),
    clock,
    events: { publish: (e) => void events.push(e) },
    logger: silent,
    settings: { ...TEST_SETTINGS, ...settings },
  });
  return {
    dialect,
    services,
    store,
    database,
    clock,
    events,
    vault,
    dir,
    async close() {
      await store.close();
      await database.cleanup();
      await tmp.cleanup();
    },
  };
}

let hostCounter = 0;

/** Enrols an endpoint through the real enrolment path; returns its id and agent credential. */
export async function enrolEndpoint(h: Harness, hostname = `host-${++hostCounter}`): Promise<{ endpointId: string; credential: string }> {
  const token = await h.services.enrollment.createToken(ADMIN, { maxUses: 1 });
  return h.services.enrollment.enroll(
    { enrollToken: token.token!, hostname, os: 'linux', osVersion: '6.1', arch: 'x64', agentVersion: '0.1.0', ipAddresses: ['10.0.0.1'] },
    '10.0.0.1',
  );
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hashesOf(data: Buffer): { md5: string; sha1: string; sha256: string } {
  return {
    md5: createHash('md5').update(data).digest('hex'),
    sha1: createHash('sha1').update(data).digest('hex'),
    sha256: sha256(data),
  };
}

export function bodyOf(data: Buffer): Readable {
  return Readable.from([data]);
}
