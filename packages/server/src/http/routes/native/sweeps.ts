import {
  CreateSweepBody,
  GetSweepQuery,
  IntIdParams,
  ListSweepResultsQuery,
  ListTasksQuery,
  Page,
  SweepDetailSchema,
  SweepResultsPageSchema,
  SweepTaskSchema,
} from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

/** Sweep tasks: find files on endpoints; create, list, inspect, page through results, cancel. */
export const sweepRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  const common = { tags: ['sweeps'], security: [{ apiKey: [] }] };
  app.post(
    '/sweeps',
    { config: { permission: 'retrieve' }, schema: { ...common, body: CreateSweepBody, response: { 201: SweepTaskSchema } } },
    async (request, reply) => reply.code(201).send(await ctx.services.sweeps.create(actorOf(request), request.body, 'native')),
  );
  app.get(
    '/sweeps',
    { config: { permission: 'read' }, schema: { ...common, querystring: ListTasksQuery, response: { 200: Page(SweepTaskSchema) } } },
    async (request) => ctx.services.sweeps.list(request.query),
  );
  app.get(
    '/sweeps/:id',
    { config: { permission: 'read' }, schema: { ...common, params: IntIdParams, querystring: GetSweepQuery, response: { 200: SweepDetailSchema } } },
    async (request) => ctx.services.sweeps.get(request.params.id, request.query),
  );
  app.get(
    '/sweeps/:id/results',
    {
      config: { permission: 'read' },
      schema: { ...common, params: IntIdParams, querystring: ListSweepResultsQuery, response: { 200: SweepResultsPageSchema } },
    },
    async (request) => ctx.services.sweeps.results(request.params.id, request.query),
  );
  app.post(
    '/sweeps/:id/cancel',
    { config: { permission: 'retrieve' }, schema: { ...common, params: IntIdParams, response: { 200: SweepTaskSchema } } },
    async (request) => ctx.services.sweeps.cancel(actorOf(request), request.params.id),
  );
};
