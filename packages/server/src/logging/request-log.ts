import type { FastifyInstance } from 'fastify';

/** Download tokens are bearer secrets: they never reach a log line. */
export function redactUrl(url: string): string {
  return url.replace(/(\/downloads\/)[^/?#]+/, '$1[redacted]');
}

/**
 * One `request completed` line per request (fastify's own two lines are disabled because they
 * would log download URLs with their token).
 */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, url: redactUrl(request.url), statusCode: reply.statusCode, durationMs: Math.round(reply.elapsedTime) },
      'request completed',
    );
  });
}
