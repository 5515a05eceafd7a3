import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createQuarryServices, type Actor, type Clock, type EventPublisher } from '@quarry/core';
import { openSqlStore } from '@quarry/storage-sql';
import type { Logger as PinoLogger } from 'pino';
import { buildApp, type QuarryApp } from './app.js';
import type { ServerConfig } from './config/schema.js';
import { engineSettingsOf } from './engine-settings.js';
import { databaseOptionsOf } from './config/store-locations.js';
import { createEventBus } from './events/event-bus.js';
import { applyMigrationPolicy } from './startup/migration-policy.js';
import { watchConnectedAgents } from './startup/young-generation-policy.js';
import { openBlobStore } from './startup/open-blob-store.js';
import { startLocalAgent, type LocalAgentSupervisor } from './local-agent/local-agent-supervisor.js';
import { createLogger } from './logging/create-logger.js';
import { SERVER_MESSAGES } from './messages.js';
import { createChunkVault, createNodeSecrets, loadOrCreateMasterKey } from './vault/index.js';
import { createEngineTicker } from './workers/engine-ticker.js';

export const ADMIN_KEY_FILE = 'admin.key';
export const LOCAL_AGENT_DIR = 'local-agent';
const SYSTEM_ACTOR: Actor = { type: 'system', id: 'server', ip: null };
const LOCAL_AGENT_TOKEN_TTL_SECONDS = 600;

/** A listening server; `close()` stops everything it started, in reverse order. */
export interface RunningServer {
  /** Base URL it listens on (the configured publicUrl, or the bound address). */
  url: string;
  app: QuarryApp;
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Console lines (address, admin key location). Defaults to stdout. */
  print?: (line: string) => void;
  logger?: PinoLogger;
  /** Tests pass a controllable clock; production uses the system clock. */
  clock?: Clock;
}

/** Writes a freshly generated admin key where only this user can read it. */
async function writeAdminKey(dataDir: string, key: string): Promise<string> {
  const path = join(dataDir, ADMIN_KEY_FILE);
  await writeFile(path, `${key}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}

/**
 * The composition root: data directory, master key, database (migrated), encrypted blob vault,
 * services, admin bootstrap, HTTP + agent hub, engine ticker and, optionally, the local agent.
 */
export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock: Clock = options.clock ?? { now: () => new Date() };
  const cleanups: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        logger.error({ err }, 'shutdown step failed');
      }
    }
  };

  try {
    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const masterKey = await loadOrCreateMasterKey({ dataDir: config.dataDir, ...(config.masterKey ? { envValue: config.masterKey } : {}) });
    const dbOptions = databaseOptionsOf(config);
    const store = await openSqlStore(dbOptions);
    cleanups.push(() => store.close());
    // Embedded SQLite belongs to this node alone; a shared PostgreSQL is migrated only on request.
    await applyMigrationPolicy(store, dbOptions.driver === 'sqlite' ? 'always' : config.migrate ? 'when-told' : 'refuse-pending', logger);
    const blobStore = await openBlobStore(config);
    cleanups.push(() => blobStore.close());
    const vault = createChunkVault({ blobs: blobStore.blobs, masterKey });
    const secrets = createNodeSecrets(masterKey);
    const bus = createEventBus(logger);
    let events: EventPublisher = bus;
    let app: QuarryApp | undefined;
    if (dbOptions.driver === 'postgres') {
      // Several nodes may share this database: relay events to them, and claim for our agents
      // right away when notifications may have been missed.
      const { createPgNotifyRelay } = await import('./events/pg-notify-relay.js');
      const relay = createPgNotifyRelay({ url: dbOptions.url, bus, logger, onResync: () => void app?.hub.sweepNow() });
      await relay.start();
      cleanups.push(() => relay.close());
      events = relay;
    }
    logger.info({ database: dbOptions.driver, blobs: blobStore.kind }, 'storage ready');
    const services = createQuarryServices({ store, vault, secrets, clock, events, logger, settings: engineSettingsOf(config) });

    const admin = await services.auth.ensureAdmin(config.adminKey ?? undefined);
    app = await buildApp(config, { services, vault, bus, clock, logger });
    cleanups.push(() => app.close());
    await app.listen({ host: config.host, port: config.port });
    const url = app.publicUrl();

    const ticker = createEngineTicker(services.engine, { intervalMs: config.tickIntervalMs, logger });
    ticker.start();
    cleanups.push(() => ticker.stop());
    const heapPolicy = watchConnectedAgents(
      () => app?.hub.connectedCount() ?? 0,
      (agents) => logger.info({ agents }, SERVER_MESSAGES.youngGenerationGrows),
    );
    cleanups.push(async () => heapPolicy.stop());

    print(SERVER_MESSAGES.listening(url));
    print(SERVER_MESSAGES.apiDocs(url));
    if (admin.created && config.adminKey) print(SERVER_MESSAGES.adminKeyFromConfig);
    else if (admin.created && admin.key) print(SERVER_MESSAGES.adminKeyWritten(await writeAdminKey(config.dataDir, admin.key)));
    else {
      const keyFile = join(config.dataDir, ADMIN_KEY_FILE);
      print(SERVER_MESSAGES.adminKeyExists(existsSync(keyFile) ? keyFile : null));
    }

    if (config.localAgent) {
      const stateDir = join(config.dataDir, LOCAL_AGENT_DIR);
      const agent: LocalAgentSupervisor = startLocalAgent({
        serverUrl: url,
        stateDir,
        logger,
        logLevel: config.logLevel,
        createEnrollToken: async () => {
          const t = await services.enrollment.createToken(SYSTEM_ACTOR, {
            description: 'local agent',
            maxUses: 1,
            expiresInSeconds: LOCAL_AGENT_TOKEN_TTL_SECONDS,
          });
          if (!t.token) throw new Error('enrolment token created without its secret');
          return t.token;
        },
      });
      // Stopped first on shutdown, while the server can still take its last reports.
      cleanups.push(() => agent.stop());
      print(SERVER_MESSAGES.localAgent(stateDir));
    }
    return { url, app, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

