import type { SubtaskState } from '@quarry/protocol';
import type { SubtaskCountDelta } from '../ports/task-store.js';

/**
 * Subtask counter changes held back while one transaction moves many subtasks, so each task row
 * is updated (and locked) once, at the end, instead of between subtask updates: locking a task
 * row and then more subtask rows could deadlock with a transaction that holds one of those
 * subtasks and waits for the task.
 */
export class TaskCountBatch {
  readonly #deltas = new Map<number, SubtaskCountDelta>();

  /** Notes one subtask of `taskId` moving `from` → `to`. */
  add(taskId: number, from: SubtaskState, to: SubtaskState): void {
    let delta = this.#deltas.get(taskId);
    if (!delta) this.#deltas.set(taskId, (delta = {}));
    delta[from] = (delta[from] ?? 0) - 1;
    delta[to] = (delta[to] ?? 0) + 1;
  }

  /** Removes and returns the pending change of `taskId` (empty when none). */
  take(taskId: number): SubtaskCountDelta {
    const delta = this.#deltas.get(taskId) ?? {};
    this.#deltas.delete(taskId);
    return delta;
  }
}
