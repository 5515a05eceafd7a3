import { FileElementSchema, IntIdParams, ListElementsQuery, Page } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../route-context.js';

/** File elements found by sweeps, searchable across endpoints; retrieve them with POST /retrievals {elements}. */
export const elementRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  const common = { tags: ['sweeps'], security: [{ apiKey: [] }] };
  app.get(
    '/elements',
    { config: { permission: 'read' }, schema: { ...common, querystring: ListElementsQuery, response: { 200: Page(FileElementSchema) } } },
    async (request) => ctx.services.elements.list(request.query),
  );
  app.get(
    '/elements/:id',
    { config: { permission: 'read' }, schema: { ...common, params: IntIdParams, response: { 200: FileElementSchema } } },
    async (request) => ctx.services.elements.get(request.params.id),
  );
};
