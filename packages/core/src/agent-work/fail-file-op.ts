import { isRetryableFailure, type FailBody } from '@quarry/protocol';
import type { ServiceDeps } from '../shared/service-deps.js';
import { inTransaction } from '../shared/outbox.js';
import { NON_TERMINAL_FILE_OP_STATES } from '../subtasks/subtask-transitions.js';
import { requireActiveSubtask } from './active-subtask.js';
import { discardUpload, requireOwnFileOp } from './begin-upload.js';
import { afterFileEnded } from './subtask-activity.js';

/**
 * The agent could not retrieve a file. A repeat for a file that already ended is a no-op. A
 * partial upload is kept when the failure is retryable (the next attempt resumes it), else discarded.
 */
export async function failFileOp(deps: ServiceDeps, endpointId: string, fileOpId: number, body: FailBody): Promise<void> {
  const { clock, settings } = deps;
  const now = clock.now().getTime();
  await inTransaction(deps, async (tx, out) => {
    const fileOp = await requireOwnFileOp(tx, endpointId, fileOpId);
    const subtask = await requireActiveSubtask(tx, endpointId, fileOp.subtaskId, body.attempt);
    if (!NON_TERMINAL_FILE_OP_STATES.includes(fileOp.state)) return;
    const retryable = isRetryableFailure(body.code);
    if (!retryable) await discardUpload(deps, tx, out, fileOp.uploadId);
    await tx.fileOps.update(fileOp.id, NON_TERMINAL_FILE_OP_STATES, {
      state: 'failed',
      failureCode: body.code,
      failureMessage: body.message,
      ...(retryable ? {} : { uploadId: null }),
    });
    await afterFileEnded(tx, out, { now, settings }, subtask);
  });
}
