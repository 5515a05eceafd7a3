import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../route-context.js';
import { enrollRoutes } from './enroll.js';
import { fileOpRoutes } from './file-ops.js';
import { pollRoutes } from './poll.js';
import { uploadRoutes } from './uploads.js';
import { sweepResultRoutes } from './sweep-results.js';

/** The agent API under /agent/v1 (the WebSocket is served by the agent hub on the same server). */
export const agentRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  for (const plugin of [enrollRoutes, fileOpRoutes, uploadRoutes, pollRoutes, sweepResultRoutes]) await app.register(plugin, { ctx });
};
