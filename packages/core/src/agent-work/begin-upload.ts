import type { BeginBody, BeginResponse } from '@quarry/protocol';
import type { FileOpRecord } from '../ports/file-op-store.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import type { Outbox } from '../shared/outbox.js';
import { appError } from '../errors/catalogue.js';
import { inTransaction } from '../shared/outbox.js';
import { NON_TERMINAL_FILE_OP_STATES } from '../subtasks/subtask-transitions.js';
import { requireActiveSubtask } from './active-subtask.js';
import { afterFileEnded, markUploading } from './subtask-activity.js';
import { succeededWithContent } from './succeeded-with-content.js';

/** Loads a file op of the calling agent; another endpoint's is NOT_FOUND. */
export async function requireOwnFileOp(store: QuarryStore, endpointId: string, fileOpId: number): Promise<FileOpRecord> {
  const fileOp = await store.fileOps.get(fileOpId);
  if (!fileOp || fileOp.endpointId !== endpointId) throw appError('NOT_FOUND', { fileOpId });
  return fileOp;
}

/** Marks the file op's current upload discarded and deletes its chunks after commit. */
export async function discardUpload(deps: ServiceDeps, tx: QuarryStore, out: Outbox, uploadId: string | null): Promise<void> {
  if (!uploadId) return;
  const upload = await tx.uploads.get(uploadId);
  if (upload && (await tx.uploads.setState(upload.id, 'open', 'discarded'))) {
    out.afterCommit(() => deps.vault.discard(upload.id));
  }
}

/**
 * With the file's sha256: content already held makes the file op succeed at once (`skip`);
 * otherwise resume the file op's open upload when it is for the same bytes (or was begun without
 * a sha256: the agent compares what it holds, chunk by chunk), or start a new one.
 *
 * Without it (the agent offers to hash while uploading): `hash` when held content has the same
 * size (it could be a duplicate) or an open upload could be resumed (resuming checks the file
 * against it by sha256); otherwise a new upload whose sha256 is declared at complete.
 */
export async function beginUpload(deps: ServiceDeps, endpointId: string, fileOpId: number, body: BeginBody): Promise<BeginResponse> {
  const { clock, settings, secrets, vault } = deps;
  const now = clock.now().getTime();
  const ctx = { now, settings };
  return inTransaction(deps, async (tx, out) => {
    const fileOp = await requireOwnFileOp(tx, endpointId, fileOpId);
    const subtask = await requireActiveSubtask(tx, endpointId, fileOp.subtaskId, body.attempt);
    if (fileOp.state === 'succeeded') return { action: 'skip', fileId: fileOp.id };
    if (!NON_TERMINAL_FILE_OP_STATES.includes(fileOp.state)) throw appError('SUBTASK_NOT_ACTIVE', { fileOpId, state: fileOp.state });

    const existing = fileOp.uploadId ? await tx.uploads.get(fileOp.uploadId) : null;
    const resumable = existing?.state === 'open' ? existing : null;
    if (body.sha256 === undefined) {
      if (resumable || (await tx.uploads.hasContentOfSize(body.size))) return { action: 'hash' };
    }
    const content = body.sha256 === undefined ? null : await tx.uploads.getContent(body.sha256);
    if (content && content.size === body.size) {
      await discardUpload(deps, tx, out, fileOp.uploadId);
      const won = await tx.fileOps.update(fileOp.id, NON_TERMINAL_FILE_OP_STATES, succeededWithContent(content, body.mtimeMs, now));
      await afterFileEnded(tx, out, ctx, subtask, won);
      return { action: 'skip', fileId: fileOp.id };
    }

    const sameSize = resumable?.size === body.size ? resumable : null;
    let upload = sameSize?.sha256 === body.sha256 ? sameSize : null;
    // Begun without a sha256 and interrupted: it now gets the one the agent has computed.
    if (!upload && sameSize?.sha256 === null && body.sha256 !== undefined && (await tx.uploads.declareSha256(sameSize.id, body.sha256))) {
      upload = { ...sameSize, sha256: body.sha256 };
    }
    if (!upload) {
      await discardUpload(deps, tx, out, fileOp.uploadId);
      upload = {
        id: secrets.randomHex(16),
        fileOpId: fileOp.id,
        size: body.size,
        sha256: body.sha256 ?? null,
        mtimeMs: body.mtimeMs === null ? null : Math.trunc(body.mtimeMs),
        chunkSize: settings.chunkSize,
        chunkCount: Math.ceil(body.size / settings.chunkSize),
        wrappedKey: await vault.createDataKey(),
        state: 'open',
        createdAt: now,
      };
      await tx.uploads.insert(upload);
    }
    const chunks = await tx.uploads.listChunks(upload.id);
    await tx.fileOps.update(fileOp.id, NON_TERMINAL_FILE_OP_STATES, {
      state: 'uploading',
      size: body.size,
      mtime: upload.mtimeMs,
      uploadId: upload.id,
      bytesDone: chunks.reduce((sum, c) => sum + c.size, 0),
    });
    await markUploading(tx, out, ctx, subtask);
    return {
      action: 'upload',
      uploadId: upload.id,
      chunkSize: upload.chunkSize,
      chunkCount: upload.chunkCount,
      receivedChunks: chunks.map((c) => c.idx),
    };
  });
}
