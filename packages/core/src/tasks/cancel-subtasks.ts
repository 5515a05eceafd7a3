import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import type { Outbox } from '../shared/outbox.js';
import { isActiveSubtaskState, NON_TERMINAL_FILE_OP_STATES } from '../subtasks/subtask-transitions.js';
import { transitionSubtask } from '../subtasks/transition-subtask.js';
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
