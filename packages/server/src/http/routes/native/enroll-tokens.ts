import { CreateEnrollTokenBody, EnrollTokenSchema, Page, PageQuery, StringIdParams } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../plugins/auth.js';
import { defaultEmptyBody } from '../../plugins/optional-body.js';
import type { RouteContext } from '../../route-context.js';

/** Enrolment tokens agents present once to obtain their credential (admin only). */
export const enrollTokenRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  const common = { tags: ['enrolment'], security: [{ apiKey: [] }] };
  app.post(
    '/enroll-tokens',
    { config: { permission: 'manage' }, preValidation: defaultEmptyBody, schema: { ...common, body: CreateEnrollTokenBody, response: { 201: EnrollTokenSchema } } },
    async (request, reply) => reply.code(201).send(await ctx.services.enrollment.createToken(actorOf(request), request.body ?? {})),
  );
  app.get(
    '/enroll-tokens',
    { config: { permission: 'manage' }, schema: { ...common, querystring: PageQuery, response: { 200: Page(EnrollTokenSchema) } } },
    async (request) => ctx.services.enrollment.listTokens(request.query),
  );
  app.delete(
    '/enroll-tokens/:id',
    { config: { permission: 'manage' }, schema: { ...common, params: StringIdParams, response: { 200: EnrollTokenSchema } } },
    async (request) => ctx.services.enrollment.revokeToken(actorOf(request), request.params.id),
  );
};
