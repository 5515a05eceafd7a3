import { PollQuerySchema, PollResponseSchema } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { agentEndpointOf, ipOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

/** `GET /agent/v1/poll?waitSeconds=N`: long-poll fallback for agents that cannot hold a WebSocket. */
export const pollRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  app.get(
    '/poll',
    { schema: { tags: ['agent'], security: [{ agentKey: [] }], querystring: PollQuerySchema, response: { 200: PollResponseSchema } } },
    async (request, reply) => {
      const abort = new AbortController();
      const onClose = (): void => abort.abort();
      // The response's close (not the request's, which fires once the body is read) means the client left.
      reply.raw.once('close', onClose);
      const offShutdown = ctx.onShutdown(onClose);
      try {
        const messages = await ctx.hub.poll(agentEndpointOf(request), ipOf(request), request.query.waitSeconds ?? 25, abort.signal);
        return { messages };
      } finally {
        reply.raw.off('close', onClose);
        offShutdown();
      }
    },
  );
};
