import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import type { EngineSettings } from '../services/engine-settings.js';
import type { Outbox } from '../shared/outbox.js';
import { recordTaskCountDelta, transitionSubtask } from '../subtasks/transition-subtask.js';
import { settleSubtask, sumFileBytes } from '../subtasks/settle-subtask.js';
import { pushDeadline } from './active-subtask.js';

interface Ctx {
  now: number;
  settings: EngineSettings;
}

/**
 * Records upload activity on a subtask: moves it to `uploading` if it was not yet, refreshes its
 * byte totals from its files and pushes the deadline.
 */
export async function markUploading(tx: QuarryStore, out: Outbox, ctx: Ctx, subtask: SubtaskRecord): Promise<SubtaskRecord> {
  const bytes = await tx.fileOps.sumBytes(subtask.id);
  const deadlineAt = ctx.now + ctx.settings.inactivityTimeoutSeconds * 1000;
  if (subtask.state !== 'uploading') {
    const result = await transitionSubtask(tx, out, ctx.now, { subtask, to: 'uploading' }, {
      patch: { bytesTotal: bytes.total, bytesDone: bytes.done, deadlineAt, startedAt: subtask.startedAt ?? ctx.now },
    });
    if (result.ok) return result.subtask;
  }
  await pushDeadline(tx, subtask, ctx.now, ctx.settings.inactivityTimeoutSeconds, { bytesTotal: bytes.total, bytesDone: bytes.done });
  return { ...subtask, bytesTotal: bytes.total, bytesDone: bytes.done, deadlineAt };
}

/**
 * After a file op ended: notes the activity (bytes, deadline) without changing the state, counts
 * a file that just succeeded on the task row, then settles the subtask if that was its last file.
 *
 * @param fileSucceeded true when this transaction moved the file op to `succeeded`.
 */
export async function afterFileEnded(tx: QuarryStore, out: Outbox, ctx: Ctx, subtask: SubtaskRecord, fileSucceeded = false): Promise<void> {
  // One read of the files serves the byte totals and the settlement: every statement here runs
  // while the transaction holds a pooled connection.
  const files = await tx.fileOps.listBySubtasks([subtask.id]);
  const bytes = sumFileBytes(files);
  const current = { ...subtask, bytesTotal: bytes.total, bytesDone: bytes.done };
  if (fileSucceeded) await recordTaskCountDelta(tx, out, subtask.taskId, {}, 1, ctx.now);
  const settled = await settleSubtask(tx, out, ctx, current, files);
  if (settled !== current) return;
  // Not settled (files still to come, or another writer moved it first): note the activity. A
  // report on a subtask still `dispatched` (the agent sends `started` only before chunked
  // uploads) shows that the attempt runs.
  const deadlineAt = ctx.now + ctx.settings.inactivityTimeoutSeconds * 1000;
  if (subtask.state === 'dispatched') {
    const result = await transitionSubtask(tx, out, ctx.now, { subtask, to: 'running' }, {
      patch: { startedAt: ctx.now, deadlineAt, bytesTotal: bytes.total, bytesDone: bytes.done },
    });
    if (result.ok) return;
  }
  await pushDeadline(tx, subtask, ctx.now, ctx.settings.inactivityTimeoutSeconds, { bytesTotal: bytes.total, bytesDone: bytes.done });
}
