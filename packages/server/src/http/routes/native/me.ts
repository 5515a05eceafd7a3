import { permissionsOf } from '@quarry/core';
import { WhoAmISchema, type WhoAmI } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { apiPrincipalOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

/** `GET /api/v1/me`: the calling credential and what it may do. */
export const meRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app) => {
  app.get(
    '/me',
    { config: { permission: 'read' }, schema: { tags: ['auth'], security: [{ apiKey: [] }], response: { 200: WhoAmISchema } } },
    async (request) => {
      const p = apiPrincipalOf(request);
      // The cast bridges protocol's mapped-literal unions, which TypeBox infers as `never` (reported).
      return { id: p.id, name: p.name, role: p.role, canDownload: p.canDownload, permissions: permissionsOf(p) } as WhoAmI;
    },
  );
};
