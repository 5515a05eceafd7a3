import { CreateCredentialBody, CredentialSchema, Page, PageQuery, StringIdParams } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

/** API credentials (admin only). The key is returned once, by the create call. */
export const credentialRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  const common = { tags: ['credentials'], security: [{ apiKey: [] }] };
  app.post(
    '/credentials',
    { config: { permission: 'manage' }, schema: { ...common, body: CreateCredentialBody, response: { 201: CredentialSchema } } },
    async (request, reply) => reply.code(201).send(await ctx.services.credentials.create(actorOf(request), request.body)),
  );
  app.get(
    '/credentials',
    { config: { permission: 'manage' }, schema: { ...common, querystring: PageQuery, response: { 200: Page(CredentialSchema) } } },
    async (request) => ctx.services.credentials.list(request.query),
  );
  app.delete(
    '/credentials/:id',
    { config: { permission: 'manage' }, schema: { ...common, params: StringIdParams, response: { 200: CredentialSchema } } },
    async (request) => ctx.services.credentials.revoke(actorOf(request), request.params.id),
  );
};
