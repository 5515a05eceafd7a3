import { appError, isAppError, type AppError } from '@quarry/core';
import type { ErrorEnvelope } from '@quarry/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** What a client sees for any error we did not expect; the real cause is only logged. */
export const INTERNAL_ERROR_MESSAGE = 'internal error; the server log has details (search for the request id)';

/** Fastify's own client-error codes and the catalogue code each becomes. */
const FASTIFY_CODES: Record<string, () => AppError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => appError('BODY_TOO_LARGE'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => appError('UNSUPPORTED_MEDIA_TYPE'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => appError('VALIDATION_FAILED', { reason: 'body is not valid JSON' }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => appError('VALIDATION_FAILED', { reason: 'body is empty' }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => appError('VALIDATION_FAILED', { reason: 'body does not match Content-Length' }),
};

/** Builds the wire envelope for a catalogued error. */
export function envelopeOf(err: AppError, requestId: string): ErrorEnvelope {
  return {
    error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}), requestId },
  };
}

/** Sends a catalogued error as the envelope with its status. */
export function sendAppError(reply: FastifyReply, err: AppError): FastifyReply {
  if (err.code === 'RATE_LIMITED' || err.code === 'STORAGE_FULL') reply.header('retry-after', '30');
  return reply.code(err.status).type('application/json; charset=utf-8').send(envelopeOf(err, reply.request.id));
}

/** Messages of `err` and every `cause` below it, for the one log line of an unexpected error. */
export function causeChain(err: unknown): string[] {
  const out: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 10; depth++) {
    out.push(cur instanceof Error ? `${cur.name}: ${cur.message}` : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return out;
}

function fromValidation(err: FastifyError): AppError {
  const issues = (err.validation ?? []).map((v) => {
    const extra = (v.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    return {
      in: err.validationContext ?? 'request',
      path: extra ? `${v.instancePath}/${extra}` : v.instancePath || '/',
      message: extra ? 'is not a known property' : (v.message ?? 'is invalid'),
    };
  });
  const first = issues[0];
  const reason = first ? `${first.in}${first.path === '/' ? '' : first.path} ${first.message}` : err.message;
  return appError('VALIDATION_FAILED', { reason, issues });
}

/** Maps anything thrown to a catalogued error; null means "unexpected" (a 500 we must log). */
export function toAppError(err: unknown): AppError | null {
  if (isAppError(err)) return err;
  const fe = err as Partial<FastifyError> | null;
  if (!fe || typeof fe !== 'object') return null;
  if (Array.isArray(fe.validation)) return fromValidation(fe as FastifyError);
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return mapped();
  // Other 4xx errors raised by fastify or its plugins are the client's fault too.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413) return appError('BODY_TOO_LARGE');
    if (fe.statusCode === 415) return appError('UNSUPPORTED_MEDIA_TYPE');
    return appError('VALIDATION_FAILED', { reason: fe.message ?? 'bad request' });
  }
  return null;
}

/** Installs the one error handler and the 404 handler: every error leaves as the envelope. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const known = toAppError(err);
    if (known && known.status < 500) {
      request.log.info({ code: known.code, status: known.status }, 'request failed');
      return sendAppError(reply, known);
    }
    request.log.error({ err, causes: causeChain(err), code: known?.code ?? 'INTERNAL' }, 'request failed unexpectedly');
    if (reply.sent || reply.raw.headersSent) return reply;
    const out = known ?? appError('INTERNAL');
    // Never echo an unexpected error's message: it may carry paths, SQL or secrets.
    const safe = known ? out : Object.assign(appError('INTERNAL'), { message: INTERNAL_ERROR_MESSAGE });
    return sendAppError(reply, safe);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url.split('?')[0] ?? '';
    return sendAppError(reply, appError('ROUTE_NOT_FOUND', { method: request.method, url }));
  });
}
