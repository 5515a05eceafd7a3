import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { ChunkVault, Clock, QuarryServices } from '@quarry/core';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { createAgentHub, type AgentHub } from './agents/agent-hub.js';
import type { ServerConfig } from './config/schema.js';
import type { EventBus } from './events/event-bus.js';
import { installErrorHandling } from './http/error-handler.js';
import { installAuth } from './http/plugins/auth.js';
import { lazySchemaCompilers } from './http/lazy-schema-compilers.js';
import { installJsonParser } from './http/plugins/json-parser.js';
import type { RouteContext } from './http/route-context.js';
import { agentRoutes } from './http/routes/agent/index.js';
import { healthRoutes } from './http/routes/health.js';
import { nativeRoutes } from './http/routes/native/index.js';
import { installRequestLog } from './logging/request-log.js';

/** Collaborators buildApp needs; main.ts builds them, tests build them over a temp directory. */
export interface AppDeps {
  services: QuarryServices;
  vault: ChunkVault;
  bus: EventBus;
  clock: Clock;
  /** A pino logger (createLogger gives one with credential redaction). */
  logger: FastifyBaseLogger;
}

/** The fastify instance with the TypeBox type provider, plus the agent hub bound to its server. */
export type QuarryApp = FastifyInstance & {
  hub: AgentHub;
  /** Base URL for absolute links: `config.publicUrl`, else the address actually bound. */
  publicUrl(): string;
  /** Compiles every route schema not compiled yet (they compile on first use); throws if one does not. */
  compileAllSchemas(): void;
};

const API_TITLE = 'Quarry API';
const API_DESCRIPTION = 'Retrieve files from managed endpoints. Authenticate with `Authorization: Bearer qk_…`.';

/** Wildcard hosts are not addresses a client can use in a link. */
const linkHost = (host: string): string => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host);

/**
 * Builds the HTTP application: error handling, authentication, OpenAPI, native and agent routes,
 * and the agent WebSocket hub on the same server. Does not listen.
 */
export async function buildApp(config: ServerConfig, deps: AppDeps): Promise<QuarryApp> {
  const schemas = lazySchemaCompilers();
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: () => randomUUID(),
    // Our own `request completed` line replaces fastify's two, which would log download tokens.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // HEAD on a download would audit a download, on a poll claim work, on SSE hang: none wanted.
    exposeHeadRoutes: false,
    // SSE streams and long polls must not hold shutdown hostage.
    forceCloseConnections: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    schemaController: { compilersFactory: schemas.compilersFactory },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const shutdownListeners = new Set<() => void>();
  const publicUrl = (): string => {
    if (config.publicUrl) return config.publicUrl;
    const address = app.server.address() as AddressInfo | null;
    return `http://${linkHost(config.host)}:${address && typeof address === 'object' ? address.port : config.port}`;
  };
  const hub = createAgentHub({ server: app.server, config, services: deps.services, bus: deps.bus, logger: app.log });
  const ctx: RouteContext = {
    config,
    services: deps.services,
    vault: deps.vault,
    bus: deps.bus,
    clock: deps.clock,
    hub,
    publicUrl,
    onShutdown(listener) {
      shutdownListeners.add(listener);
      return () => shutdownListeners.delete(listener);
    },
  };

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('preClose', async () => {
    for (const l of [...shutdownListeners]) l();
    await hub.close();
  });
  installRequestLog(app);
  installErrorHandling(app);
  installJsonParser(app);
  installAuth(app, deps.services.auth);

  await app.register(swagger, {
    openapi: {
      info: { title: API_TITLE, description: API_DESCRIPTION, version: '1' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' }, agentKey: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  await app.register(healthRoutes);
  await app.register(nativeRoutes, { prefix: '/api/v1', ctx });
  await app.register(agentRoutes, { prefix: '/agent/v1', ctx });
  // Not made ready here: the composition root may still register vendor facades.
  return Object.assign(app, { hub, publicUrl, compileAllSchemas: schemas.compileAll }) as unknown as QuarryApp;
}
