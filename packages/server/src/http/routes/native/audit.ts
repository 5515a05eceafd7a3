import { AuditEventSchema, ListAuditQuery, Page } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../route-context.js';

/** `GET /api/v1/audit`: the append-only audit log (admin only). */
export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  app.get(
    '/audit',
    {
      config: { permission: 'manage' },
      schema: { tags: ['audit'], security: [{ apiKey: [] }], querystring: ListAuditQuery, response: { 200: Page(AuditEventSchema) } },
    },
    async (request) => ctx.services.audit.list(request.query),
  );
};
