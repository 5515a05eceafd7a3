import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import type { Outbox } from '../shared/outbox.js';
import { isActiveSubtaskState, NON_TERMINAL_FILE_OP_STATES } from '../subtasks/subtask-transitions.js';
import { transitionSubtask, transitionSubtasks } from '../subtasks/transition-subtask.js';
import type { TaskCountBatch } from './task-count-batch.js';

/** How often a cancel re-reads a subtask that moved under it before giving up. */
const CANCEL_RETRIES = 5;

/**
 * Cancels one non-terminal subtask and its unfinished files; tells its agent to stop when the
 * subtask was active. Returns true when this call cancelled it.
 */
export async function cancelSubtaskRecord(
  tx: QuarryStore,
  out: Outbox,
  now: number,
  subtask: SubtaskRecord,
  options: { refreshTask: boolean; counts?: TaskCountBatch },
): Promise<boolean> {
  let current: SubtaskRecord | null = subtask;
  for (let i = 0; i < CANCEL_RETRIES && current; i++) {
    const result = await transitionSubtask(tx, out, now, { subtask: current, to: 'cancelled' }, {
      patch: { finishedAt: now, deadlineAt: null, nextAttemptAt: null },
      refreshTask: options.refreshTask,
      ...(options.counts ? { counts: options.counts } : {}),
    });
    if (result.ok) {
      await tx.fileOps.updateBySubtask(current.id, NON_TERMINAL_FILE_OP_STATES, { state: 'cancelled' });
      if (isActiveSubtaskState(current.state)) {
        out.publish({ type: 'cancel', endpointId: current.endpointId, subtaskId: current.id, attempt: current.attempt });
      }
      return true;
    }
    if (result.reason === 'invalid_transition') return false;
    current = await tx.subtasks.get(current.id);
  }
  return false;
}

/**
 * cancelSubtaskRecord for a whole task's open subtasks, with their counter changes held in
 * `counts`: one conditional update per few hundred subtasks (and as many for their files) instead
 * of two statements per subtask, which made cancelling a 10,000-endpoint task take 10-20 s. A
 * subtask that moved under the batch (an agent report committed in between) gets the one-by-one
 * path, re-read and retried as there. Returns how many this call cancelled.
 */
export async function cancelSubtaskRecords(tx: QuarryStore, out: Outbox, now: number, subtasks: readonly SubtaskRecord[], counts: TaskCountBatch): Promise<number> {
  const moved = await transitionSubtasks(tx, out, now, { subtasks, to: 'cancelled' }, {
    patchOf: () => ({ finishedAt: now, deadlineAt: null, nextAttemptAt: null }),
    counts,
  });
  await tx.fileOps.updateBySubtasks(moved.map((s) => s.id), NON_TERMINAL_FILE_OP_STATES, { state: 'cancelled' });
  const done = new Set(moved.map((s) => s.id));
  let cancelled = moved.length;
  for (const s of subtasks) {
    if (done.has(s.id)) {
      if (isActiveSubtaskState(s.state)) out.publish({ type: 'cancel', endpointId: s.endpointId, subtaskId: s.id, attempt: s.attempt });
      continue;
    }
    const current = await tx.subtasks.get(s.id);
    if (current && (await cancelSubtaskRecord(tx, out, now, current, { refreshTask: false, counts }))) cancelled++;
  }
  return cancelled;
}
