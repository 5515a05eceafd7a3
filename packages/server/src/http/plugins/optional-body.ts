import type { FastifyRequest } from 'fastify';

/**
 * `preValidation` hook for routes whose body fields are all optional: a bodiless request is
 * treated as `{}` instead of failing "body must be object".
 */
export async function defaultEmptyBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}
