import type { Readable } from 'node:stream';
import { appError, type OpenedLink } from '@quarry/core';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { aesZipLength, createAesZipStream } from '../../../downloads/aes-zip-writer.js';
import { ipOf } from '../../plugins/auth.js';
import type { RouteContext } from '../../route-context.js';
import { parseByteRange } from '../../streaming/byte-range.js';
import { attachmentDisposition } from '../../streaming/content-disposition.js';

const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 2048 }) });

/**
 * Ties the source's life to the response: fastify destroys a piped stream when the client goes
 * away, but the plaintext source under a zip stream is ours to release.
 */
function releaseOnClose(reply: FastifyReply, fileId: number, ...streams: Readable[]): void {
  const res = reply.raw;
  res.once('close', () => {
    for (const s of streams) if (!s.destroyed) s.destroy();
    const bytes = res.writableFinished ? Number(res.getHeader('content-length') ?? 0) : null;
    reply.log.info({ fileId, bytes, completed: res.writableFinished, durationMs: Math.round(reply.elapsedTime) }, 'download ended');
  });
}

function commonHeaders(reply: FastifyReply, fileName: string): void {
  reply.header('content-disposition', attachmentDisposition(fileName));
  // The URL is a bearer secret with an expiry; nothing along the way may keep the bytes.
  reply.header('cache-control', 'no-store');
  reply.header('x-content-type-options', 'nosniff');
}

async function sendRaw(ctx: RouteContext, opened: OpenedLink, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const size = opened.content.size;
  const etag = `"${opened.file.sha256}"`;
  const ifRange = request.headers['if-range'];
  const rangeHeader = ifRange === undefined || ifRange === etag ? request.headers.range : undefined;
  const range = parseByteRange(rangeHeader, size);
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${size}`);
    throw appError('RANGE_NOT_SATISFIABLE', { size });
  }
  // Opened before any header is sent, so a missing blob is still a normal error envelope.
  const body = await ctx.vault.open(opened.content, range ?? undefined);
  releaseOnClose(reply, opened.file.id, body);
  commonHeaders(reply, opened.file.name);
  reply.header('etag', etag).header('accept-ranges', 'bytes').type('application/octet-stream');
  if (range) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
    reply.header('content-length', String(range.end - range.start + 1));
  } else {
    reply.header('content-length', String(size));
  }
  return reply.send(body);
}

async function sendZip(ctx: RouteContext, opened: OpenedLink, reply: FastifyReply): Promise<FastifyReply> {
  if (!opened.password) throw new Error('zip link opened without a password');
  const source = await ctx.vault.open(opened.content);
  const entry = {
    fileName: opened.file.name,
    size: opened.content.size,
    mtime: opened.file.mtime ? new Date(opened.file.mtime) : new Date(opened.file.retrievedAt),
  };
  let zip: Readable;
  let length: number;
  try {
    length = aesZipLength(entry);
    zip = createAesZipStream({ ...entry, password: opened.password, source });
  } catch (err) {
    source.destroy();
    throw err;
  }
  releaseOnClose(reply, opened.file.id, zip, source);
  commonHeaders(reply, `${opened.file.name}.zip`);
  reply.header('accept-ranges', 'none').header('content-length', String(length)).type('application/zip');
  return reply.send(zip);
}

/** `GET /api/v1/downloads/{token}`: a signed link opens the file; no credential is needed. */
export const downloadRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  app.get(
    '/downloads/:token',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['files'],
        summary: 'Download through a signed link (raw bytes with Range support, or an AES-256 zip)',
        params: TokenParams,
      },
    },
    async (request, reply) => {
      const opened = await ctx.services.files.openLink(request.params.token, ipOf(request));
      return opened.format === 'zip' ? sendZip(ctx, opened, reply) : sendRaw(ctx, opened, request, reply);
    },
  );
};
