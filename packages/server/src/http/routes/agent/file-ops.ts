import { BeginBodySchema, FailBodySchema, IntIdParams, StartedBodySchema } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { agentEndpointOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

const Ok = Type.Object({ ok: Type.Literal(true) });
const BeginResponseSchema = Type.Union([
  Type.Object({ action: Type.Literal('skip'), fileId: Type.Integer() }),
  Type.Object({ action: Type.Literal('hash') }),
  Type.Object({
    action: Type.Literal('upload'),
    uploadId: Type.String(),
    chunkSize: Type.Integer(),
    chunkCount: Type.Integer(),
    receivedChunks: Type.Array(Type.Integer()),
  }),
]);

/** Agent reports about a subtask attempt and its files: started, begin (dedup or upload), fail. */
export const fileOpRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  const work = ctx.services.agentWork;
  const common = { tags: ['agent'], security: [{ agentKey: [] }], params: IntIdParams };
  app.post('/subtasks/:id/started', { schema: { ...common, body: StartedBodySchema, response: { 200: Ok } } }, async (request) => {
    await work.started(agentEndpointOf(request), request.params.id, request.body.attempt);
    return { ok: true as const };
  });
  app.post('/file-ops/:id/begin', { schema: { ...common, body: BeginBodySchema, response: { 200: BeginResponseSchema } } }, async (request) =>
    work.begin(agentEndpointOf(request), request.params.id, request.body),
  );
  app.post('/file-ops/:id/fail', { schema: { ...common, body: FailBodySchema, response: { 200: Ok } } }, async (request) => {
    await work.fail(agentEndpointOf(request), request.params.id, request.body);
    return { ok: true as const };
  });
};
