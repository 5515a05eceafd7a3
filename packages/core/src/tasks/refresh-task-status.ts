import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskCountDelta } from '../ports/task-store.js';
import type { Outbox } from '../shared/outbox.js';
import { deriveTaskStatus, isEndedTaskStatus } from './derive-task-status.js';
import { taskCounts } from './task-wire.js';

/**
 * Applies `delta` to the task's subtask counters, re-derives its status from them and stores it;
 * called in the transaction of every subtask change so the denormalised columns never disagree
 * with the subtasks. O(1): the counters live on the task row. The counter update locks that row,
 * so of two transactions changing the task's subtasks the later one waits and derives from the
 * counts including the earlier one's change: neither can store a stale status.
 */
export async function refreshTaskStatus(tx: QuarryStore, out: Outbox, taskId: number, now: number, delta: SubtaskCountDelta = {}): Promise<void> {
  const counters = await tx.tasks.adjustCounts(taskId, delta);
  if (!counters) return;
  const task = await tx.tasks.get(taskId);
  if (!task) return;
  const { counts } = counters;
  let status = deriveTaskStatus(counts);
  // A subtask that got some of its files ends `failed` (SOME_FILES_FAILED); the task still
  // delivered evidence, so users see it as partial rather than failed.
  if (status === 'failed' && counters.filesSucceeded > 0) status = 'partially_succeeded';
  const finishedAt = isEndedTaskStatus(status) ? (task.finishedAt ?? now) : null;
  await tx.tasks.setStatus(taskId, status, finishedAt, now);
  out.publish({ type: 'task', taskId, status, counts: taskCounts(counts) });
}
