import type { QuarryStore } from '../ports/quarry-store.js';
import type { Outbox } from '../shared/outbox.js';
import { deriveTaskStatus, isEndedTaskStatus } from './derive-task-status.js';
import { taskCounts } from './task-wire.js';

/**
 * Recomputes a task's status from its subtasks and stores it; called in the transaction of every
 * subtask change so the denormalised column never disagrees with the subtasks.
 */
export async function refreshTaskStatus(tx: QuarryStore, out: Outbox, taskId: number, now: number): Promise<void> {
  const task = await tx.tasks.get(taskId);
  if (!task) return;
  const counts = (await tx.tasks.countSubtasks([taskId])).get(taskId);
  if (!counts) return;
  let status = deriveTaskStatus(counts);
  // A subtask that got some of its files ends `failed` (SOME_FILES_FAILED); the task still
  // delivered evidence, so users see it as partial rather than failed.
  if (status === 'failed' && (await tx.fileOps.listRetrieved({ taskId }, { limit: 1 })).length > 0) {
    status = 'partially_succeeded';
  }
  const finishedAt = isEndedTaskStatus(status) ? (task.finishedAt ?? now) : null;
  await tx.tasks.setStatus(taskId, status, finishedAt, now);
  out.publish({ type: 'task', taskId, status, counts: taskCounts(counts) });
}
