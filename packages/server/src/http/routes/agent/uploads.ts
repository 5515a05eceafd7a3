import { appError } from '@quarry/core';
import { CHUNK_SHA256_HEADER, CompleteBodySchema, ContentQuerySchema, INLINE_CONTENT_MAX_BYTES, IntIdParams } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { agentEndpointOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

const UploadParams = Type.Object({ uploadId: Type.String({ pattern: '^[0-9a-f]{32}$' }) });
const ChunkParams = Type.Object({ uploadId: Type.String({ pattern: '^[0-9a-f]{32}$' }), index: Type.Integer({ minimum: 0, maximum: 1_000_000 }) });
const SHA256_RE = /^[0-9a-f]{64}$/;
const DECIMAL_RE = /^\d{1,15}$/;

/** The body's declared length; without one the size could only be checked after storing the bytes. */
function declaredLength(headers: { 'content-length'?: string; 'transfer-encoding'?: string; 'content-type'?: string }): number {
  // Another type's parser (JSON) would have consumed the body before the handler streams it.
  if (headers['content-type']?.split(';')[0]?.trim().toLowerCase() !== 'application/octet-stream') throw appError('UNSUPPORTED_MEDIA_TYPE');
  const lengthHeader = headers['content-length'];
  if (lengthHeader === undefined || !DECIMAL_RE.test(lengthHeader) || headers['transfer-encoding']) {
    throw appError('VALIDATION_FAILED', { reason: 'Content-Length is required (no chunked transfer encoding)' });
  }
  return Number(lengthHeader);
}

/**
 * Chunk upload and completion, and small files in one request. Bodies are streamed from the socket
 * straight into the vault: the octet-stream parser below deliberately leaves the body unread, and
 * the handler hands `request.raw` to the service, which hashes, encrypts and stores it in one pass.
 */
export const uploadRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  const work = ctx.services.agentWork;
  const chunkSize = ctx.config.chunkSize;
  // Scoped to this plugin: everywhere else an octet-stream body is still 415.
  app.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null, undefined));

  app.put(
    '/uploads/:uploadId/chunks/:index',
    { bodyLimit: chunkSize, schema: { tags: ['agent'], security: [{ agentKey: [] }], params: ChunkParams } },
    async (request) => {
      const contentLength = declaredLength(request.headers);
      const sha256 = request.headers[CHUNK_SHA256_HEADER];
      if (typeof sha256 !== 'string' || !SHA256_RE.test(sha256)) {
        throw appError('VALIDATION_FAILED', { reason: `${CHUNK_SHA256_HEADER} must be 64 lower-case hex digits` });
      }
      if (contentLength > chunkSize) throw appError('BODY_TOO_LARGE', { limit: chunkSize });
      return work.putChunk(agentEndpointOf(request), {
        uploadId: request.params.uploadId,
        index: request.params.index,
        sha256,
        contentLength,
        body: request.raw,
      });
    },
  );

  app.put(
    '/file-ops/:id/content',
    {
      bodyLimit: INLINE_CONTENT_MAX_BYTES,
      schema: {
        tags: ['agent'],
        security: [{ agentKey: [] }],
        params: IntIdParams,
        querystring: ContentQuerySchema,
        response: { 200: Type.Object({ fileId: Type.Integer(), deduplicated: Type.Boolean() }) },
      },
    },
    // The service refuses a declared length over the limit before reading anything.
    async (request) =>
      work.putContent(agentEndpointOf(request), { fileOpId: request.params.id, query: request.query, contentLength: declaredLength(request.headers), body: request.raw }),
  );

  app.post(
    '/uploads/:uploadId/complete',
    {
      schema: {
        tags: ['agent'],
        security: [{ agentKey: [] }],
        params: UploadParams,
        body: CompleteBodySchema,
        response: { 200: Type.Object({ fileId: Type.Integer() }) },
      },
    },
    async (request) => work.complete(agentEndpointOf(request), request.params.uploadId, request.body),
  );
};
