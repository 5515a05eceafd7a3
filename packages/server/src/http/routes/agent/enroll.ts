import { EnrollRequestSchema, EnrollResponseSchema } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ipOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

/** `POST /agent/v1/enroll`: the enrolment token in the body is the credential. */
export const enrollRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  app.post(
    '/enroll',
    { config: { auth: 'public' }, schema: { tags: ['agent'], body: EnrollRequestSchema, response: { 201: EnrollResponseSchema } } },
    async (request, reply) => reply.code(201).send(await ctx.services.enrollment.enroll(request.body, ipOf(request))),
  );
};
