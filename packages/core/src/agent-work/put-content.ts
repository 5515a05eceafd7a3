import type { Readable } from 'node:stream';
import { INLINE_CONTENT_MAX_BYTES, type ContentQuery, type ContentResponse } from '@quarry/protocol';
import type { ContentRecord, UploadRecord } from '../ports/upload-store.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { inTransaction } from '../shared/outbox.js';
import { NON_TERMINAL_FILE_OP_STATES } from '../subtasks/subtask-transitions.js';
import { requireActiveSubtask } from './active-subtask.js';
import { discardUpload, requireOwnFileOp } from './begin-upload.js';
import { afterFileEnded } from './subtask-activity.js';
import { succeededWithContent } from './succeeded-with-content.js';

export interface PutContentInput {
  fileOpId: number;
  query: ContentQuery;
  contentLength: number;
  body: Readable;
}

/**
 * A small file in one request: what begin, one chunk PUT and complete do, in one transaction.
 * Content already held is linked (the body is drained unread, as begin's `skip` would have
 * spared sending it); otherwise the vault checks size and sha256 while it stores the body as the
 * upload's only chunk, and the file op succeeds only after that check. Like any report, it counts
 * for a subtask still `dispatched` (the agent may send it before or instead of `started`).
 */
export async function putContent(deps: ServiceDeps, endpointId: string, input: PutContentInput): Promise<ContentResponse> {
  const { clock, settings, secrets, vault } = deps;
  const { query, contentLength } = input;
  if (contentLength > INLINE_CONTENT_MAX_BYTES) throw appError('BODY_TOO_LARGE', { limit: INLINE_CONTENT_MAX_BYTES });
  const fileOp = await requireOwnFileOp(deps.store, endpointId, input.fileOpId);
  // A retried request whose first try succeeded (perhaps ending the subtask) is acknowledged.
  if (fileOp.state === 'succeeded' && fileOp.sha256 === query.sha256) {
    input.body.resume();
    return { fileId: fileOp.id, deduplicated: true };
  }
  await requireActiveSubtask(deps.store, endpointId, fileOp.subtaskId, query.attempt);
  if (!NON_TERMINAL_FILE_OP_STATES.includes(fileOp.state)) throw appError('SUBTASK_NOT_ACTIVE', { fileOpId: fileOp.id, state: fileOp.state });

  const held = await deps.store.uploads.getContent(query.sha256);
  const reuse = held !== null && held.size === contentLength ? held : null;
  let upload: UploadRecord | null = null;
  if (reuse) {
    input.body.resume();
  } else {
    upload = {
      id: secrets.randomHex(16),
      fileOpId: fileOp.id,
      size: contentLength,
      sha256: query.sha256,
      mtimeMs: query.mtimeMs === undefined ? null : Math.trunc(query.mtimeMs),
      // Configured chunk sizes are far above the inline limit; max() keeps one chunk regardless.
      chunkSize: Math.max(settings.chunkSize, contentLength),
      chunkCount: contentLength === 0 ? 0 : 1,
      wrappedKey: await vault.createDataKey(),
      state: 'completed',
      createdAt: clock.now().getTime(),
    };
    // An empty file has no chunk: its content is zero bytes under the upload's key.
    if (contentLength > 0) {
      await vault.writeChunk({ uploadId: upload.id, index: 0, wrappedKey: upload.wrappedKey, expectedSize: contentLength, expectedSha256: query.sha256, body: input.body });
    } else {
      input.body.resume();
    }
  }

  const now = clock.now().getTime();
  const ctx = { now, settings };
  let stored = false;
  try {
    const result = await inTransaction(deps, async (tx, out) => {
      stored = false; // the store may run this again after a serialization failure
      const subtask = await requireActiveSubtask(tx, endpointId, fileOp.subtaskId, query.attempt);
      let content: ContentRecord | null = reuse;
      if (upload) {
        await tx.uploads.insert(upload);
        const candidate: ContentRecord = {
          sha256: query.sha256, md5: query.md5, sha1: query.sha1, size: upload.size, uploadId: upload.id,
          wrappedKey: upload.wrappedKey, chunkSize: upload.chunkSize, chunkCount: upload.chunkCount, createdAt: now,
        };
        if (await tx.uploads.insertContent(candidate)) {
          content = candidate;
          stored = true;
        } else {
          // The same bytes arrived from elsewhere meanwhile: keep that copy, drop ours.
          content = await tx.uploads.getContent(query.sha256);
          await tx.uploads.setState(upload.id, 'completed', 'discarded');
        }
      }
      if (!content) throw appError('INTERNAL', { reason: 'content vanished while linking a file to it' });
      // A chunked upload an earlier try of this file left open is superseded.
      if (fileOp.uploadId) await discardUpload(deps, tx, out, fileOp.uploadId);
      const won = await tx.fileOps.update(fileOp.id, NON_TERMINAL_FILE_OP_STATES, succeededWithContent(content, query.mtimeMs, now));
      // Lost the race to another report for this file (a retried request, a cancel): nothing changes.
      if (!won) {
        const current = await tx.fileOps.get(fileOp.id);
        if (current?.state !== 'succeeded') throw appError('SUBTASK_NOT_ACTIVE', { fileOpId: fileOp.id, state: current?.state });
        return { fileId: fileOp.id, deduplicated: true };
      }
      await afterFileEnded(tx, out, ctx, subtask, true);
      return { fileId: fileOp.id, deduplicated: !stored };
    });
    if (upload && !stored) await vault.discard(upload.id);
    return result;
  } catch (err) {
    // Nothing refers to the chunk just written: do not leave it behind.
    if (upload) await vault.discard(upload.id).catch(() => undefined);
    throw err;
  }
}
