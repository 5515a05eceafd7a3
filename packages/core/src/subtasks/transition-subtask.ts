import type { SubtaskState } from '@quarry/protocol';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskPatch, SubtaskRecord } from '../ports/subtask-store.js';
import type { SubtaskCountDelta } from '../ports/task-store.js';
import type { Outbox } from '../shared/outbox.js';
import { refreshTaskStatus } from '../tasks/refresh-task-status.js';
import type { TaskCountBatch } from '../tasks/task-count-batch.js';
import { canTransition } from './subtask-transitions.js';

/** Outcome of a transition attempt. Losing a race is normal under concurrency, not an error. */
export type TransitionResult =
  | { ok: true; subtask: SubtaskRecord }
  | { ok: false; reason: 'invalid_transition' | 'lost_race' };

export interface TransitionOptions {
  patch?: SubtaskPatch;
  /** Extra condition of the conditional update (e.g. the deadline has really passed). */
  deadlineAtOrBefore?: number;
  /** False when the caller moves many subtasks of one task and refreshes the status once. */
  refreshTask?: boolean;
  /**
   * Holds the counter change back for the caller to pass to its one `refreshTaskStatus` per task
   * (with `refreshTask: false`). Without it the task's counters are updated right away.
   */
  counts?: TaskCountBatch;
}

/**
 * The one way a subtask changes state: validates the move against SUBTASK_TRANSITIONS, applies it
 * with `UPDATE … WHERE id = ? AND state = ? AND attempt = ?`, and only when that moved the row
 * updates the task's per-state counters, announces progress, and re-derives the task status, all
 * in the same transaction.
 */
export async function transitionSubtask(
  tx: QuarryStore,
  out: Outbox,
  now: number,
  move: { subtask: SubtaskRecord; to: SubtaskState },
  options: TransitionOptions = {},
): Promise<TransitionResult> {
  const { subtask, to } = move;
  if (!canTransition(subtask.state, to)) return { ok: false, reason: 'invalid_transition' };
  const patch: SubtaskPatch = { ...options.patch, state: to, updatedAt: now };
  const expect = { state: subtask.state, attempt: subtask.attempt, ...(options.deadlineAtOrBefore !== undefined ? { deadlineAtOrBefore: options.deadlineAtOrBefore } : {}) };
  const won = await tx.subtasks.update(subtask.id, expect, patch);
  if (!won) return { ok: false, reason: 'lost_race' };
  const next: SubtaskRecord = { ...subtask, ...patch, state: to };
  publishProgress(out, next);
  const delta: SubtaskCountDelta = subtask.state === to ? {} : { [subtask.state]: -1, [to]: 1 };
  if (options.counts) options.counts.add(subtask.taskId, subtask.state, to);
  else if (options.refreshTask !== false) await refreshTaskStatus(tx, out, subtask.taskId, now, delta);
  else await tx.tasks.adjustCounts(subtask.taskId, delta);
  return { ok: true, subtask: next };
}

/** Announces a subtask's state and bytes to whoever watches its task. */
export function publishProgress(out: Outbox, s: SubtaskRecord): void {
  out.publish({
    type: 'progress',
    taskId: s.taskId,
    subtaskId: s.id,
    endpointId: s.endpointId,
    state: s.state,
    bytesDone: s.bytesDone,
    bytesTotal: s.bytesTotal,
    failureCode: s.failureCode,
  });
}
