import type { CompleteBody, CompleteResponse, FailureCode } from '@quarry/protocol';
import type { ContentRecord, UploadChunkRecord } from '../ports/upload-store.js';
import { chunkSha256sOf } from '../files/file-wire.js';
import type { ContentRef } from '../ports/chunk-vault.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { inTransaction } from '../shared/outbox.js';
import { NON_TERMINAL_FILE_OP_STATES } from '../subtasks/subtask-transitions.js';
import { requireActiveSubtask } from './active-subtask.js';
import { requireOpenUpload } from './put-chunk.js';
import { afterFileEnded } from './subtask-activity.js';
import { succeededWithContent } from './succeeded-with-content.js';

/** Failure messages stored on the file op when the whole-file check fails. */
export const HASH_FAILURE_MESSAGES = {
  declared: 'the file changed between hashing and reading (sha256 differs from the one declared at begin)',
  stored: 'the stored bytes do not hash to the declared sha256',
} as const;

/** Most missing chunk indexes listed in UPLOAD_INCOMPLETE details. */
const MISSING_LIST_LIMIT = 100;

/**
 * Verifies the whole file and turns the upload into content. On a hash mismatch the upload is
 * discarded and the file op FAILS (HASH_MISMATCH, or CHANGED_WHILE_READING when the agent's own
 * final hash differs from its declared one); both codes are retryable, so the subtask gets another
 * attempt while attempts remain. The agent receives FILE_HASH_MISMATCH.
 */
export async function completeUpload(deps: ServiceDeps, endpointId: string, uploadId: string, body: CompleteBody): Promise<CompleteResponse> {
  const { clock, settings, vault } = deps;
  const { upload, fileOp } = await requireOpenUpload(deps.store, endpointId, uploadId);
  if (upload.state === 'completed' && fileOp.state === 'succeeded' && fileOp.sha256 === body.sha256) return { fileId: fileOp.id };
  if (upload.state !== 'open' || fileOp.uploadId !== upload.id) throw appError('UPLOAD_NOT_FOUND', { uploadId });
  await requireActiveSubtask(deps.store, endpointId, fileOp.subtaskId);

  const chunks = await deps.store.uploads.listChunks(upload.id);
  const held = new Set(chunks.map((c) => c.idx));
  const missing: number[] = [];
  for (let i = 0; i < upload.chunkCount && missing.length < MISSING_LIST_LIMIT; i++) if (!held.has(i)) missing.push(i);
  if (missing.length > 0) throw appError('UPLOAD_INCOMPLETE', { missing });

  const location = { uploadId: upload.id, wrappedKey: upload.wrappedKey, size: upload.size, chunkSize: upload.chunkSize, chunkCount: upload.chunkCount };
  const ref: ContentRef = { ...location, chunkSha256s: chunkSha256sOf(chunks) };
  let failure: FailureCode | null = null;
  // Begun without a sha256, the upload takes the one the agent computed while sending it.
  const declared = upload.sha256 ?? body.sha256;
  if (body.sha256 !== declared) failure = 'CHANGED_WHILE_READING';
  else if ((await vault.computeSha256(ref)) !== declared) failure = 'HASH_MISMATCH';

  const now = clock.now().getTime();
  const ctx = { now, settings };
  const fileId = await inTransaction(deps, async (tx, out) => {
    const subtask = await requireActiveSubtask(tx, endpointId, fileOp.subtaskId);
    if (failure) {
      if (await tx.uploads.setState(upload.id, 'open', 'discarded')) out.afterCommit(() => vault.discard(upload.id));
      await tx.fileOps.update(fileOp.id, NON_TERMINAL_FILE_OP_STATES, {
        state: 'failed',
        failureCode: failure,
        failureMessage: failure === 'HASH_MISMATCH' ? HASH_FAILURE_MESSAGES.stored : HASH_FAILURE_MESSAGES.declared,
        uploadId: null,
        bytesDone: 0,
      });
      await afterFileEnded(tx, out, ctx, subtask);
      return null;
    }
    if (!(await tx.uploads.setState(upload.id, 'open', 'completed'))) throw appError('UPLOAD_NOT_FOUND', { uploadId });
    // The upload row is locked now, so no chunk can be recorded any more (put-chunk takes the same
    // lock). One recorded after the check above would mean other bytes than those just verified:
    // this completion is refused and the agent completes again, which verifies afresh.
    if (!sameChunks(chunks, await tx.uploads.listChunks(upload.id))) throw appError('UPLOAD_CHANGED', { uploadId });
    const candidate: ContentRecord = { ...location, sha256: declared, md5: body.md5, sha1: body.sha1, createdAt: now };
    let content = candidate;
    if (!(await tx.uploads.insertContent(candidate))) {
      // Another upload of the same bytes won the race: keep its copy, drop ours.
      content = (await tx.uploads.getContent(declared)) ?? candidate;
      await tx.uploads.setState(upload.id, 'completed', 'discarded');
      out.afterCommit(() => vault.discard(upload.id));
    }
    // The file op keeps pointing at its completed upload.
    const won = await tx.fileOps.update(fileOp.id, NON_TERMINAL_FILE_OP_STATES, { ...succeededWithContent(content, upload.mtimeMs, now), uploadId: upload.id });
    await afterFileEnded(tx, out, ctx, subtask, won);
    return fileOp.id;
  });
  if (fileId === null) throw appError('FILE_HASH_MISMATCH', { uploadId, fileOpId: fileOp.id });
  deps.logger.info({ fileOpId: fileOp.id, subtaskId: fileOp.subtaskId, endpointId, bytes: upload.size }, 'upload completed');
  return { fileId };
}

function sameChunks(a: readonly UploadChunkRecord[], b: readonly UploadChunkRecord[]): boolean {
  const shaOf = new Map(a.map((c) => [c.idx, c.sha256]));
  return a.length === b.length && b.every((c) => shaOf.get(c.idx) === c.sha256);
}
