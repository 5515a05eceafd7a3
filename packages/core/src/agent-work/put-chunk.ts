import type { Readable } from 'node:stream';
import type { ChunkResponse } from '@quarry/protocol';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { UploadRecord } from '../ports/upload-store.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import type { ProgressThrottle } from './progress-throttle.js';
import { appError } from '../errors/catalogue.js';
import { inTransaction } from '../shared/outbox.js';
import { publishProgress } from '../subtasks/transition-subtask.js';
import { ACTIVE_SUBTASK_STATES } from '../subtasks/subtask-transitions.js';
import { requireActiveSubtask } from './active-subtask.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface PutChunkInput {
  uploadId: string;
  index: number;
  sha256: string;
  contentLength: number;
  body: Readable;
}

/** Size chunk `index` of `upload` must have: full chunks, then the remainder. */
export function expectedChunkSize(upload: Pick<UploadRecord, 'size' | 'chunkSize' | 'chunkCount'>, index: number): number {
  return index < upload.chunkCount - 1 ? upload.chunkSize : upload.size - upload.chunkSize * (upload.chunkCount - 1);
}

/** Loads an open upload of the calling agent, with its file op and active subtask. */
export async function requireOpenUpload(store: QuarryStore, endpointId: string, uploadId: string) {
  const upload = await store.uploads.get(uploadId);
  const fileOp = upload ? await store.fileOps.get(upload.fileOpId) : null;
  if (!upload || !fileOp || fileOp.endpointId !== endpointId) throw appError('UPLOAD_NOT_FOUND', { uploadId });
  return { upload, fileOp };
}

/**
 * Stores one chunk. The vault verifies size and sha256 while streaming; the chunk is recorded
 * only after it is safely stored. Repeats of a held chunk are drained and acknowledged.
 */
export async function putChunk(deps: ServiceDeps, throttle: ProgressThrottle, endpointId: string, input: PutChunkInput): Promise<ChunkResponse> {
  const { clock, settings, vault } = deps;
  const { upload, fileOp } = await requireOpenUpload(deps.store, endpointId, input.uploadId);
  if (upload.state !== 'open' || fileOp.uploadId !== upload.id) throw appError('UPLOAD_NOT_FOUND', { uploadId: upload.id });
  const subtask = await requireActiveSubtask(deps.store, endpointId, fileOp.subtaskId);
  if (!Number.isInteger(input.index) || input.index < 0 || input.index >= upload.chunkCount) {
    throw appError('CHUNK_OUT_OF_RANGE', { index: input.index, last: upload.chunkCount - 1 });
  }
  const expected = expectedChunkSize(upload, input.index);
  if (input.contentLength !== expected) throw appError('CHUNK_SIZE_MISMATCH', { expected, actual: input.contentLength });
  if (!SHA256_HEX.test(input.sha256)) throw appError('VALIDATION_FAILED', { reason: 'chunk sha256 must be 64 lower-case hex digits' });

  const held = await deps.store.uploads.getChunk(upload.id, input.index);
  if (held && held.sha256 === input.sha256) {
    input.body.resume();
    await touch(deps, subtask.id, subtask.attempt);
    return { index: input.index, duplicate: true };
  }
  await vault.writeChunk({
    uploadId: upload.id,
    index: input.index,
    wrappedKey: upload.wrappedKey,
    expectedSize: expected,
    expectedSha256: input.sha256,
    body: input.body,
  });

  const now = clock.now().getTime();
  let orphaned = false;
  let late = false;
  await inTransaction(deps, async (tx, out) => {
    // A no-op conditional update rather than a read: it locks the upload row, so completing the
    // upload (open -> completed, also conditional) and recording this chunk happen one after the
    // other, never interleaved.
    const stillOpen = await tx.uploads.setState(upload.id, 'open', 'open');
    // No longer open while the bytes streamed in. Discarded (cancel, a new begin, garbage
    // collection): the chunk belongs to nobody, and the discard may have deleted the upload's
    // chunks before this one landed, so they are deleted again here. Completed: its chunks are
    // verified content. Blobs are named after their sha256, so these bytes landed beside the
    // chunk they would have replaced, not over it; they are deleted unless they are that chunk.
    if (!stillOpen) {
      const current = await tx.uploads.get(upload.id);
      orphaned = !current || current.state === 'discarded';
      late = !orphaned && (await tx.uploads.getChunk(upload.id, input.index))?.sha256 !== input.sha256;
      throw appError('UPLOAD_NOT_FOUND', { uploadId: upload.id });
    }
    const before = await tx.uploads.getChunk(upload.id, input.index);
    await tx.uploads.putChunk({ uploadId: upload.id, idx: input.index, size: expected, sha256: input.sha256 });
    // A rewrite with other bytes (the file changed and the agent started over): the old version
    // is no longer anyone's.
    if (before && before.sha256 !== input.sha256) out.afterCommit(() => vault.discardChunk(upload.id, input.index, before.sha256));
    if (!before) await tx.fileOps.addBytesDone(fileOp.id, expected);
    const fresh = await tx.subtasks.get(subtask.id);
    if (!fresh || !ACTIVE_SUBTASK_STATES.includes(fresh.state) || fresh.attempt !== subtask.attempt) return;
    // The subtask row (bytes, deadline) is rewritten at most once per throttle interval.
    if (!throttle.shouldWrite(subtask.id, now)) return;
    const bytes = await tx.fileOps.sumBytes(subtask.id);
    const deadlineAt = now + settings.inactivityTimeoutSeconds * 1000;
    await tx.subtasks.update(subtask.id, { state: fresh.state, attempt: fresh.attempt }, { bytesDone: bytes.done, bytesTotal: bytes.total, deadlineAt, updatedAt: now });
    publishProgress(out, { ...fresh, bytesDone: bytes.done, bytesTotal: bytes.total, deadlineAt });
  }).catch(async (err: unknown) => {
    if (orphaned) await vault.discard(upload.id);
    else if (late) await vault.discardChunk(upload.id, input.index, input.sha256);
    throw err;
  });
  return { index: input.index, duplicate: false };

  async function touch(d: ServiceDeps, subtaskId: number, attempt: number): Promise<void> {
    const t = clock.now().getTime();
    await d.store.subtasks.update(subtaskId, { state: ACTIVE_SUBTASK_STATES, attempt }, { deadlineAt: t + settings.inactivityTimeoutSeconds * 1000, updatedAt: t });
  }
}
