/**
 * Builds the real application over a temp directory: SQLite file, LocalBlobStore, real vault and
 * secrets, real core services. Only time is fake (ManualClock).
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createQuarryServices, type Actor, type Clock, type QuarryServices } from '@quarry/core';
import { LocalBlobStore } from '@quarry/storage-blob-local';
import { openSqlStore, type SqlStore } from '@quarry/storage-sql';
import { makeTempDir } from '@quarry/testing';
import type { LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { buildApp, type QuarryApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { ServerConfig } from '../../src/config/schema.js';
import { engineSettingsOf } from '../../src/engine-settings.js';
import { createEventBus, type EventBus } from '../../src/events/event-bus.js';
import { createChunkVault, createNodeSecrets } from '../../src/vault/index.js';

export const MiB = 1024 * 1024;
export const SYSTEM: Actor = { type: 'system', id: 'test', ip: null };
export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');
const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = Date.parse('2026-03-01T10:00:00.000Z')) {
    this.#now = start;
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface Keys {
  admin: string;
  responder: string;
  responderNoDownload: string;
  viewer: string;
  agent: string;
}

export interface Harness {
  app: QuarryApp;
  services: QuarryServices;
  store: SqlStore;
  bus: EventBus;
  clock: ManualClock;
  config: ServerConfig;
  keys: Keys;
  endpointId: string;
  hostname: string;
  close(): Promise<void>;
}

export async function createHarness(overrides: Record<string, unknown> = {}): Promise<Harness> {
  const tmp = await makeTempDir('quarry-http');
  const config = loadConfig({ env: {}, cwd: tmp.dir, base: { dataDir: tmp.dir, chunkSize: 5 * MiB, ...overrides } });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const clock = new ManualClock();
  const store = await openSqlStore({ driver: 'sqlite', path: config.database.path });
  await store.migrate();
  const masterKey = randomBytes(32);
  const vault = createChunkVault({ blobs: new LocalBlobStore(join(tmp.dir, 'blobs')), masterKey });
  const bus = createEventBus(logger);
  const services = createQuarryServices({
    store,
    vault,
    secrets: createNodeSecrets(masterKey),
    clock,
    events: bus,
    logger,
    settings: engineSettingsOf(config),
  });
  const admin = await services.auth.ensureAdmin();
  const cred = async (name: string, role: 'viewer' | 'responder' | 'admin', canDownload?: boolean): Promise<string> => {
    const c = await services.credentials.create(SYSTEM, { name, role, ...(canDownload === undefined ? {} : { canDownload }) });
    return c.key as string;
  };
  const hostname = 'ws-test-01';
  const token = await services.enrollment.createToken(SYSTEM, { description: 'test' });
  const enrolled = await services.enrollment.enroll(
    { enrollToken: token.token as string, hostname, os: 'linux', osVersion: '6.1', arch: 'x64', agentVersion: '0.1.0', ipAddresses: ['10.0.0.5'] },
    '127.0.0.1',
  );
  const keys: Keys = {
    admin: admin.key as string,
    responder: await cred('resp', 'responder'),
    responderNoDownload: await cred('resp-nodl', 'responder', false),
    viewer: await cred('view', 'viewer'),
    agent: enrolled.credential,
  };
  const app = await buildApp(config, { services, vault, bus, clock, logger });
  await app.ready();
  return {
    app,
    services,
    store,
    bus,
    clock,
    config,
    keys,
    endpointId: enrolled.endpointId,
    hostname,
    async close() {
      await app.close();
      await store.close();
      await tmp.cleanup();
    },
  };
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** An authenticated JSON call; `key` null sends no Authorization header. */
export function call(h: Harness, method: Method, url: string, key: string | null, body?: unknown): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method,
    url,
    headers: key ? { authorization: `Bearer ${key}` } : {},
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

/** Asserts the error envelope shape and returns its code. */
export function errorCode(res: LightMyRequestResponse): string {
  const body = res.json() as { error?: { code?: string; message?: string; requestId?: string } };
  if (!body.error || typeof body.error.code !== 'string' || typeof body.error.message !== 'string' || !body.error.requestId) {
    throw new Error(`not an error envelope: ${res.statusCode} ${res.body}`);
  }
  if (body.error.requestId !== res.headers['x-request-id']) throw new Error('requestId differs from x-request-id');
  return body.error.code;
}

export interface Upload {
  fileOpId: number;
  uploadId: string;
  chunkSize: number;
  attempt: number;
}

/** Creates a retrieval for the test endpoint and has the "agent" pick it up over HTTP; returns the begin answer. */
export async function beginUpload(h: Harness, content: Buffer, path = '/var/log/app.log'): Promise<{ taskId: number; upload: Upload }> {
  const created = await call(h, 'POST', '/api/v1/retrievals', h.keys.admin, { endpoints: [h.endpointId], paths: [path] });
  if (created.statusCode !== 201) throw new Error(`create failed: ${created.body}`);
  const taskId = (created.json() as { id: number }).id;
  const poll = await call(h, 'GET', '/agent/v1/poll?waitSeconds=0', h.keys.agent);
  const messages = (poll.json() as { messages: Array<{ type: string; command?: { subtaskId: number; attempt: number; taskId: number; files: Array<{ fileOpId: number }> } }> }).messages;
  const command = messages.find((m) => m.type === 'retrieve' && m.command?.taskId === taskId)?.command;
  if (!command) throw new Error(`no command in poll: ${poll.body}`);
  const started = await call(h, 'POST', `/agent/v1/subtasks/${command.subtaskId}/started`, h.keys.agent, { attempt: command.attempt });
  if (started.statusCode !== 200) throw new Error(`started failed: ${started.body}`);
  const fileOpId = command.files[0]?.fileOpId as number;
  const begin = await call(h, 'POST', `/agent/v1/file-ops/${fileOpId}/begin`, h.keys.agent, {
    attempt: command.attempt,
    size: content.length,
    mtimeMs: Date.parse('2026-02-01T00:00:00Z'),
    sha256: sha256(content),
  });
  const b = begin.json() as { action: string; uploadId: string; chunkSize: number };
  if (b.action !== 'upload') throw new Error(`begin: ${begin.body}`);
  return { taskId, upload: { fileOpId, uploadId: b.uploadId, chunkSize: b.chunkSize, attempt: command.attempt } };
}

/** PUTs one chunk as the agent does. */
export function putChunk(h: Harness, uploadId: string, index: number, body: Buffer, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: 'PUT',
    url: `/agent/v1/uploads/${uploadId}/chunks/${index}`,
    headers: {
      authorization: `Bearer ${h.keys.agent}`,
      'content-type': 'application/octet-stream',
      'x-quarry-chunk-sha256': sha256(body),
      ...headers,
    },
    payload: body,
  });
}

/** Runs a whole retrieval of `content` through the agent API; returns the file id. */
export async function retrieveFile(h: Harness, content: Buffer, path?: string): Promise<{ fileId: number; taskId: number }> {
  const { taskId, upload } = await beginUpload(h, content, path);
  const count = Math.max(1, Math.ceil(content.length / upload.chunkSize));
  for (let i = 0; i < count; i++) {
    const res = await putChunk(h, upload.uploadId, i, content.subarray(i * upload.chunkSize, (i + 1) * upload.chunkSize));
    if (res.statusCode !== 200) throw new Error(`chunk ${i}: ${res.body}`);
  }
  const done = await call(h, 'POST', `/agent/v1/uploads/${upload.uploadId}/complete`, h.keys.agent, {
    md5: md5(content),
    sha1: sha1(content),
    sha256: sha256(content),
  });
  if (done.statusCode !== 200) throw new Error(`complete: ${done.body}`);
  return { fileId: (done.json() as { fileId: number }).fileId, taskId };
}
