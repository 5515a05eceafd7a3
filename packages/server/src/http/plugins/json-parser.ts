import type { FastifyInstance } from 'fastify';

/**
 * Replaces the JSON parser with one that treats an empty body as "no body". Clients often send
 * `Content-Type: application/json` on bodiless POSTs (cancel); fastify would reject those.
 * Prototype-poisoning protection stays that of fastify's default parser.
 */
export function installJsonParser(app: FastifyInstance): void {
  // The API speaks JSON only; a text/plain body is 415 rather than a confusing schema error.
  app.removeContentTypeParser('text/plain');
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    parse(request, body as string, done);
  });
}
