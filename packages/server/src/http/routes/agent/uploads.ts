import { appError } from '@quarry/core';
import { CHUNK_SHA256_HEADER, CompleteBodySchema } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { agentEndpointOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';

const UploadParams = Type.Object({ uploadId: Type.String({ pattern: '^[0-9a-f]{32}$' }) });
const ChunkParams = Type.Object({ uploadId: Type.String({ pattern: '^[0-9a-f]{32}$' }), index: Type.Integer({ minimum: 0, maximum: 1_000_000 }) });
const SHA256_RE = /^[0-9a-f]{64}$/;
const DECIMAL_RE = /^\d{1,15}$/;

/**
 * Chunk upload and completion. Chunk bodies are streamed from the socket straight into the vault:
 * the octet-stream parser below deliberately leaves the body unread, and the handler hands
 * `request.raw` to the service, which hashes, encrypts and stores it in one pass.
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
      const lengthHeader = request.headers['content-length'];
      // Without a declared length the size could only be checked after storing the bytes.
      if (lengthHeader === undefined || !DECIMAL_RE.test(lengthHeader) || request.headers['transfer-encoding']) {
        throw appError('VALIDATION_FAILED', { reason: 'Content-Length is required (no chunked transfer encoding)' });
      }
      const sha256 = request.headers[CHUNK_SHA256_HEADER];
      if (typeof sha256 !== 'string' || !SHA256_RE.test(sha256)) {
        throw appError('VALIDATION_FAILED', { reason: `${CHUNK_SHA256_HEADER} must be 64 lower-case hex digits` });
      }
      const contentLength = Number(lengthHeader);
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
