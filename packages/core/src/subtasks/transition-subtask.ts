import type { SubtaskState } from '@quarry/protocol';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskPatch, SubtaskRecord } from '../ports/subtask-store.js';
import type { SubtaskCountDelta } from '../ports/task-store.js';
import type { Outbox } from '../shared/outbox.js';
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
  /**
   * Kept for callers that pass it with `counts`; has no effect of its own (the task row is never
   * updated here any more: see below).
   */
  refreshTask?: boolean;
  /**
   * Holds the counter change back for the caller, who applies a whole batch at once (one pending
   * change per task, or `refreshTaskStatus` under the task lock). Without it the change is
   * recorded as a pending change right away.
   */
  counts?: TaskCountBatch;
}

/**
 * The one way a subtask changes state: validates the move against SUBTASK_TRANSITIONS, applies it
 * with `UPDATE … WHERE id = ? AND state = ? AND attempt = ?`, and only when that moved the row
 * announces progress and records the change to the task's per-state counters, in the same
 * transaction. The counter change is an insert, not an update of the task row, so a task's
 * subtasks do not queue on its row lock; the task's status is re-derived once the transaction has
 * committed (inTransaction folds every touched task before it returns).
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
  if (options.counts) options.counts.add(subtask.taskId, subtask.state, to);
  else if (subtask.state !== to) await recordTaskCountDelta(tx, out, subtask.taskId, { [subtask.state]: -1, [to]: 1 }, 0, now);
  return { ok: true, subtask: next };
}

/**
 * transitionSubtask for many subtasks moving to `to`, with their counter changes held in `counts`:
 * one conditional UPDATE per group of subtasks whose state, attempt and patch agree (a batch
 * claim is usually one group) instead of one per subtask. Same checks, same events. Returns the
 * subtasks it moved, as they are now, in the order given.
 */
export async function transitionSubtasks(
  tx: QuarryStore,
  out: Outbox,
  now: number,
  move: { subtasks: readonly SubtaskRecord[]; to: SubtaskState },
  options: { patchOf: (s: SubtaskRecord) => SubtaskPatch; counts: TaskCountBatch },
): Promise<SubtaskRecord[]> {
  const { to } = move;
  const groups = new Map<string, { expect: { state: SubtaskState; attempt: number }; patch: SubtaskPatch; members: SubtaskRecord[] }>();
  for (const s of move.subtasks) {
    if (!canTransition(s.state, to)) continue;
    const patch: SubtaskPatch = { ...options.patchOf(s), state: to, updatedAt: now };
    const key = `${s.state}\0${s.attempt}\0${JSON.stringify(patch)}`;
    const group = groups.get(key);
    if (group) group.members.push(s);
    else groups.set(key, { expect: { state: s.state, attempt: s.attempt }, patch, members: [s] });
  }
  const moved = new Map<number, SubtaskRecord>();
  for (const { expect, patch, members } of groups.values()) {
    const won = new Set(await tx.subtasks.updateMany(members.map((s) => s.id), expect, patch));
    for (const s of members) {
      if (!won.has(s.id)) continue;
      const next: SubtaskRecord = { ...s, ...patch, state: to };
      publishProgress(out, next);
      options.counts.add(s.taskId, s.state, to);
      moved.set(s.id, next);
    }
  }
  return move.subtasks.flatMap((s) => moved.get(s.id) ?? []);
}

/** Records a pending change to the task's counters and has the task folded after the commit. */
export async function recordTaskCountDelta(tx: QuarryStore, out: Outbox, taskId: number, delta: SubtaskCountDelta, filesSucceeded: number, now: number): Promise<void> {
  await tx.tasks.recordCountDelta(taskId, delta, filesSucceeded, now);
  out.touchTask(taskId);
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
