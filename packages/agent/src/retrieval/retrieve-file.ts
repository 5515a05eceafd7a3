import type { Logger } from 'pino';
import { ServerRejectedError } from '../http/api-errors.js';
import { FileFailure } from '../files/fs-failure.js';
import { openForRetrieval, type OpenedFile, type RetrievalLimits } from '../files/open-for-retrieval.js';
import { prehashFile, type PrehashResult } from '../files/prehash.js';
import { readSmallFile } from '../files/read-small-file.js';
import { INLINE_CONTENT_MAX_BYTES, type BeginResponse } from '@quarry/protocol';
import { detectChange, OFF_THREAD_HASH_MIN_BYTES, runUploadPass, type SendChunk } from '../files/upload-pass.js';
import type { AgentApi } from './agent-api.js';
import { LOG } from '../logging/log-messages.js';

/** Everything a file retrieval needs besides the file itself. */
export interface RetrievalContext {
  api: AgentApi;
  limits: RetrievalLimits;
  logger: Logger;
  signal: AbortSignal;
  /** Reports the attempt `started` (once per attempt; later calls share the first). */
  ensureStarted: () => Promise<void>;
}

/** One file of a retrieval command. */
export interface FileJob {
  attempt: number;
  fileOpId: number;
  path: string;
  /** The command's chunk size: what the server will plan a new upload with. */
  chunkSize?: number;
}

export type FileOutcome = 'succeeded' | 'skipped' | 'failed';

export const RETRIEVE_MESSAGES = {
  changedDuringPrehash: 'file size changed between opening and hashing it',
  hashAskedTwice: 'server asked for the sha256 of a file after being given it',
  rereadChanged: (index: number) => `chunk ${index} read differently the second time (file changed while reading)`,
  chunkRejectedTwice: (index: number) => `server rejected chunk ${index} twice with a hash mismatch`,
  serverRejected: (what: string, status: number, code: string | undefined) =>
    `server rejected ${what}: ${status}${code ? ` ${code}` : ''}`,
} as const;

/**
 * Retrieves one file: open and check, sha256 pre-pass, begin (skip or upload plan), upload pass,
 * change detection, complete. Outcomes the endpoint causes (missing file, policy, change…) are
 * reported with `fail` and returned as data; subtask-level conditions (cancel, 409 not active,
 * 401, server unreachable) are thrown for the caller to end the whole subtask.
 */
export async function retrieveFile(ctx: RetrievalContext, job: FileJob): Promise<FileOutcome> {
  const log = ctx.logger.child({ fileOpId: job.fileOpId });
  const startedAt = Date.now();
  try {
    const opened = await openForRetrieval(job.path, ctx.limits);
    try {
      if (opened.size <= INLINE_CONTENT_MAX_BYTES) return await sendSmallFile(ctx, job, opened, log, startedAt);
      await ctx.ensureStarted();
      const facts = { attempt: job.attempt, size: opened.size, mtimeMs: opened.mtimeMs };
      // First offer to hash while uploading, reading the file once: the server agrees unless it
      // might hold the file already or has an upload of it to resume.
      let plan = await beginUnhashed(ctx, job, facts);
      // Chunk hashes in the pre-pass only where the upload pass would hash off-thread anyway
      // (large files): for smaller ones a worker's start-up costs more than it saves.
      const chunkSize = opened.size >= OFF_THREAD_HASH_MIN_BYTES ? job.chunkSize : undefined;
      let pre: PrehashResult | undefined;
      if (plan.action === 'hash') {
        pre = await prehashFile(opened.handle, { signal: ctx.signal, ...(chunkSize ? { chunkSize } : {}) });
        if (pre.bytes !== opened.size) throw new FileFailure('CHANGED_WHILE_READING', RETRIEVE_MESSAGES.changedDuringPrehash);
        plan = await ctx.api.begin(job.fileOpId, { ...facts, sha256: pre.sha256 }, ctx.signal);
        if (plan.action === 'hash') throw new Error(RETRIEVE_MESSAGES.hashAskedTwice);
      }
      const before = { size: opened.size, mtimeMs: opened.mtimeMs, ...(pre ? { sha256: pre.sha256 } : {}) };
      if (plan.action === 'skip') {
        log.info({ fileId: plan.fileId, bytes: opened.size, durationMs: Date.now() - startedAt }, LOG.fileSkipped);
        return 'skipped';
      }
      const result = await runUploadPass({
        handle: opened.handle,
        size: opened.size,
        chunkSize: plan.chunkSize,
        chunkCount: plan.chunkCount,
        receivedChunks: plan.receivedChunks,
        send: chunkSender(ctx, plan.uploadId, log),
        signal: ctx.signal,
        // Only valid for the chunk size they were computed with (a resumed upload keeps its own).
        ...(pre?.chunkSha256s && plan.chunkSize === chunkSize ? { known: { sha256: pre.sha256, chunkSha256s: pre.chunkSha256s } } : {}),
      });
      const after = { size: result.sizeAfter, mtimeMs: result.mtimeMsAfter, sha256: result.sha256, grew: result.grew };
      const change = detectChange(before, after);
      if (change) throw new FileFailure('CHANGED_WHILE_READING', change);
      await ctx.api.complete(plan.uploadId, { md5: result.md5, sha1: result.sha1, sha256: result.sha256 }, ctx.signal);
      log.info(
        { bytes: opened.size, bytesSent: result.bytesSent, chunksSent: result.chunksSent, durationMs: Date.now() - startedAt },
        LOG.fileUploaded,
      );
      return 'succeeded';
    } finally {
      await opened.handle.close().catch(() => {});
    }
  } catch (err) {
    const failure = asFileFailure(err);
    if (!failure) throw err;
    log.warn({ code: failure.code, reason: failure.message, durationMs: Date.now() - startedAt }, LOG.fileFailed);
    try {
      await ctx.api.fail(job.fileOpId, { attempt: job.attempt, code: failure.code, message: failure.message }, ctx.signal);
    } catch (reportErr) {
      // A refused report (4xx other than 409) concerns this file only: carry on with the next one.
      if (!(reportErr instanceof ServerRejectedError && reportErr.status < 500)) throw reportErr;
      log.error({ status: reportErr.status, code: reportErr.code }, LOG.failReportRejected);
    }
    return 'failed';
  }
}

/**
 * Begin without a sha256. A server from before that was possible refuses the body (400): it is
 * then treated as asking for the hash.
 */
async function beginUnhashed(ctx: RetrievalContext, job: FileJob, facts: { attempt: number; size: number; mtimeMs: number | null }): Promise<BeginResponse> {
  try {
    return await ctx.api.begin(job.fileOpId, facts, ctx.signal);
  } catch (err) {
    if (err instanceof ServerRejectedError && err.status === 400) return { action: 'hash' };
    throw err;
  }
}

/**
 * A file small enough to send whole: read and hash it once, then one request does what begin,
 * chunks and complete do. A hash mismatch on the way (422 CHUNK_HASH_MISMATCH) is worth one
 * resend of the same bytes; the file itself cannot have changed under a buffer already hashed.
 */
async function sendSmallFile(
  ctx: RetrievalContext,
  job: FileJob,
  opened: OpenedFile,
  log: Logger,
  startedAt: number,
): Promise<FileOutcome> {
  const file = await readSmallFile(opened.handle, opened);
  const query = { attempt: job.attempt, md5: file.md5, sha1: file.sha1, sha256: file.sha256, mtimeMs: file.mtimeMs };
  const put = () => ctx.api.putContent(job.fileOpId, query, file.data, ctx.signal);
  const res = await onceMoreOnHashMismatch(log, 0, put, put);
  const fields = { fileId: res.fileId, bytes: opened.size, durationMs: Date.now() - startedAt };
  if (res.deduplicated) log.info(fields, LOG.fileSkipped);
  else log.info({ ...fields, bytesSent: opened.size, chunksSent: 1 }, LOG.fileUploaded);
  return res.deduplicated ? 'skipped' : 'succeeded';
}

/** File-level failures; a 4xx refusal of this file's upload counts as one (IO_ERROR, retryable). */
function asFileFailure(err: unknown): FileFailure | undefined {
  if (err instanceof FileFailure) return err;
  if (err instanceof ServerRejectedError && err.status < 500) {
    return new FileFailure('IO_ERROR', RETRIEVE_MESSAGES.serverRejected('the upload', err.status, err.code));
  }
  return undefined;
}

/** PUTs a chunk; on 422 CHUNK_HASH_MISMATCH re-reads it from disk and tries once more. */
function chunkSender(ctx: RetrievalContext, uploadId: string, log: Logger): SendChunk {
  return async (chunk, reread) => {
    await onceMoreOnHashMismatch(
      log,
      chunk.index,
      () => ctx.api.putChunk(uploadId, chunk.index, chunk.data, chunk.sha256, ctx.signal),
      async () => {
        const again = await reread();
        if (again.sha256 !== chunk.sha256) throw new FileFailure('CHANGED_WHILE_READING', RETRIEVE_MESSAGES.rereadChanged(chunk.index));
        await ctx.api.putChunk(uploadId, again.index, again.data, again.sha256, ctx.signal);
      },
    );
  };
}

/**
 * Runs `send`; when the server refuses the bytes as not matching their sha256 (422
 * CHUNK_HASH_MISMATCH, a transfer error), runs `retry` once. A second refusal fails the file.
 */
async function onceMoreOnHashMismatch<T>(log: Logger, index: number, send: () => Promise<T>, retry: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (!isHashMismatch(err)) throw err;
  }
  log.warn({ chunkIndex: index }, LOG.chunkHashMismatch);
  try {
    return await retry();
  } catch (err) {
    if (isHashMismatch(err)) throw new FileFailure('IO_ERROR', RETRIEVE_MESSAGES.chunkRejectedTwice(index));
    throw err;
  }
}

function isHashMismatch(err: unknown): boolean {
  return err instanceof ServerRejectedError && err.status === 422 && err.code === 'CHUNK_HASH_MISMATCH';
}
