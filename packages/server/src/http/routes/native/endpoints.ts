import { EndpointSchema, ListEndpointsQuery, Page } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RouteContext } from '../../route-context.js';

const RefParams = Type.Object({ ref: Type.String({ minLength: 1, maxLength: 255, description: '32-hex id, 24-hex short id, or exact hostname' }) });

/** Enrolled endpoints: list with filters, get one by id, short id or hostname. */
export const endpointRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  const common = { tags: ['endpoints'], security: [{ apiKey: [] }] };
  app.get(
    '/endpoints',
    { config: { permission: 'read' }, schema: { ...common, querystring: ListEndpointsQuery, response: { 200: Page(EndpointSchema) } } },
    async (request) => ctx.services.endpoints.list(request.query),
  );
  app.get(
    '/endpoints/:ref',
    { config: { permission: 'read' }, schema: { ...common, params: RefParams, response: { 200: EndpointSchema } } },
    async (request) => ctx.services.endpoints.get(request.params.ref),
  );
};
