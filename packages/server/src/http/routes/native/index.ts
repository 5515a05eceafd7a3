import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../route-context.js';
import { auditRoutes } from './audit.js';
import { credentialRoutes } from './credentials.js';
import { downloadRoutes } from './downloads.js';
import { endpointRoutes } from './endpoints.js';
import { enrollTokenRoutes } from './enroll-tokens.js';
import { fileRoutes } from './files.js';
import { meRoutes } from './me.js';
import { retrievalEventRoutes } from './retrieval-events.js';
import { retrievalRoutes } from './retrievals.js';
import { subtaskRoutes } from './subtasks.js';
import { elementRoutes } from './elements.js';
import { sweepRoutes } from './sweeps.js';

/** The native REST API under /api/v1, one plugin per resource. */
export const nativeRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  for (const plugin of [
    meRoutes,
    endpointRoutes,
    enrollTokenRoutes,
    credentialRoutes,
    retrievalRoutes,
    retrievalEventRoutes,
    subtaskRoutes,
    fileRoutes,
    downloadRoutes,
    auditRoutes,
    sweepRoutes,
    elementRoutes,
  ]) {
    await app.register(plugin, { ctx });
  }
};
