import type { DomainEvent } from '../ports/event-publisher.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskCountDelta, TaskCounters, TaskRecord } from '../ports/task-store.js';
import type { Outbox } from '../shared/outbox.js';
import { deriveTaskStatus, isEndedTaskStatus } from './derive-task-status.js';
import { taskCounts } from './task-wire.js';

/**
 * Applies `delta` and every pending counter change to the task's counters, re-derives its status
 * from them and stores it, within the caller's transaction. The counter update locks the task row,
 * so of two transactions doing this the later one waits and derives from counts including the
 * earlier one's change: neither can store a stale status. Subtask changes made one at a time do
 * not come here (they record a pending change and the task is folded after the commit: see
 * foldTaskStatuses); task creation and bulk cancellation do.
 */
export async function refreshTaskStatus(tx: QuarryStore, out: Outbox, taskId: number, now: number, delta: SubtaskCountDelta = {}): Promise<void> {
  const counters = await tx.tasks.adjustCounts(taskId, delta);
  if (!counters) return;
  const event = await storeDerivedStatus(tx, taskId, counters, now);
  if (event) out.publish(event);
}

/**
 * Derives the status from counters just read under the task row lock, stores it, and returns the
 * event announcing it (for the caller to publish after the commit). Null when there is no such task.
 * `locked`: the task as read when its row was locked in this transaction (saves reading it again).
 */
export async function storeDerivedStatus(
  tx: QuarryStore,
  taskId: number,
  counters: TaskCounters,
  now: number,
  locked?: Pick<TaskRecord, 'finishedAt'>,
): Promise<DomainEvent | null> {
  const task = locked ?? (await tx.tasks.get(taskId));
  if (!task) return null;
  const { counts } = counters;
  let status = deriveTaskStatus(counts);
  // A subtask that got some of its files ends `failed` (SOME_FILES_FAILED); the task still
  // delivered evidence, so users see it as partial rather than failed.
  if (status === 'failed' && counters.filesSucceeded > 0) status = 'partially_succeeded';
  const finishedAt = isEndedTaskStatus(status) ? (task.finishedAt ?? now) : null;
  await tx.tasks.setStatus(taskId, status, finishedAt, now);
  return { type: 'task', taskId, status, counts: taskCounts(counts) };
}
