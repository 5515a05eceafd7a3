import { IntIdParams, SweepResultsBodySchema } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { agentEndpointOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

const SweepResultsResponseSchema = Type.Object({ seq: Type.Integer(), duplicate: Type.Boolean() });

/**
 * Room for a full batch (MAX_SWEEP_BATCH rows with long paths) even when the general JSON body
 * limit is set lower: agents size their batches for throughput, not for this server's config.
 */
const SWEEP_BATCH_BODY_LIMIT = 2 * 1024 * 1024;

/** A batch of sweep results from the agent walking its tree; the final batch ends the subtask. */
export const sweepResultRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  app.post(
    '/subtasks/:id/sweep-results',
    {
      bodyLimit: Math.max(ctx.config.bodyLimitBytes, SWEEP_BATCH_BODY_LIMIT),
      schema: { tags: ['agent'], security: [{ agentKey: [] }], params: IntIdParams, body: SweepResultsBodySchema, response: { 200: SweepResultsResponseSchema } },
    },
    async (request) => ctx.services.agentWork.sweepResults(agentEndpointOf(request), request.params.id, request.body),
  );
};
