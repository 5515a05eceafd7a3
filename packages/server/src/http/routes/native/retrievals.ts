import { CreateRetrievalBody, GetRetrievalQuery, IntIdParams, ListTasksQuery, Page, RetrievalDetailSchema, TaskSchema } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

/** Retrieval tasks: create, list, inspect with paged subtasks, cancel. */
export const retrievalRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  const common = { tags: ['retrievals'], security: [{ apiKey: [] }] };
  app.post(
    '/retrievals',
    { config: { permission: 'retrieve' }, schema: { ...common, body: CreateRetrievalBody, response: { 201: TaskSchema } } },
    async (request, reply) => reply.code(201).send(await ctx.services.retrievals.create(actorOf(request), request.body, 'native')),
  );
  app.get(
    '/retrievals',
    { config: { permission: 'read' }, schema: { ...common, querystring: ListTasksQuery, response: { 200: Page(TaskSchema) } } },
    async (request) => ctx.services.retrievals.list(request.query),
  );
  app.get(
    '/retrievals/:id',
    {
      config: { permission: 'read' },
      schema: { ...common, params: IntIdParams, querystring: GetRetrievalQuery, response: { 200: RetrievalDetailSchema } },
    },
    async (request) => ctx.services.retrievals.get(request.params.id, request.query),
  );
  app.post(
    '/retrievals/:id/cancel',
    { config: { permission: 'retrieve' }, schema: { ...common, params: IntIdParams, response: { 200: TaskSchema } } },
    async (request) => ctx.services.retrievals.cancel(actorOf(request), request.params.id),
  );
};
