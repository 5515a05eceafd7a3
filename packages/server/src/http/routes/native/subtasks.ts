import { IntIdParams, SubtaskSchema } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

/** One endpoint's share of a retrieval: inspect it or cancel just that part. */
export const subtaskRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  const common = { tags: ['retrievals'], security: [{ apiKey: [] }], params: IntIdParams };
  app.get(
    '/subtasks/:id',
    { config: { permission: 'read' }, schema: { ...common, response: { 200: SubtaskSchema } } },
    async (request) => ctx.services.retrievals.getSubtask(request.params.id),
  );
  app.post(
    '/subtasks/:id/cancel',
    { config: { permission: 'retrieve' }, schema: { ...common, response: { 200: SubtaskSchema } } },
    async (request) => ctx.services.retrievals.cancelSubtask(actorOf(request), request.params.id),
  );
};
