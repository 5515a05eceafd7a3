import type { TaskStatus } from '@quarry/protocol';
import type { SubtaskStateCounts } from '../ports/task-store.js';

/** Whether a task in this status has finished for good. */
export function isEndedTaskStatus(status: TaskStatus): boolean {
  return status !== 'pending' && status !== 'running';
}

/**
 * Task status from subtask counts, as documented on protocol `TASK_STATUSES`. `timed_out` counts
 * as a failure, like `failed`. A task without subtasks (not created by the API) is `pending`.
 */
export function deriveTaskStatus(c: SubtaskStateCounts): TaskStatus {
  const active = c.dispatched + c.running + c.uploading;
  const ended = c.succeeded + c.failed + c.timed_out + c.cancelled + c.expired;
  const total = c.queued + active + ended;
  if (total === 0 || c.queued === total) return 'pending';
  if (active > 0 || c.queued > 0) return 'running';
  if (c.succeeded === total) return 'succeeded';
  if (c.succeeded > 0) return 'partially_succeeded';
  if (c.cancelled === total) return 'cancelled';
  if (c.expired > 0 && c.failed + c.timed_out === 0) return 'expired';
  return 'failed';
}
