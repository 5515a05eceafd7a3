/** Least time between two progress writes of one subtask while chunks stream in. */
export const PROGRESS_INTERVAL_MS = 1000;
/** Bound on remembered subtasks; the oldest are forgotten (which only allows an extra write). */
const MAX_TRACKED = 10_000;

/**
 * Per-node memory of when each subtask's progress was last written, so that a fast upload of
 * many chunks costs one subtask update per second rather than one per chunk. The deadline is far
 * longer than the interval, so skipping writes never lets an active upload time out.
 */
export class ProgressThrottle {
  readonly #last = new Map<number, number>();
  readonly #intervalMs: number;

  constructor(intervalMs: number = PROGRESS_INTERVAL_MS) {
    this.#intervalMs = intervalMs;
  }

  shouldWrite(subtaskId: number, now: number): boolean {
    const last = this.#last.get(subtaskId);
    if (last !== undefined && now - last < this.#intervalMs) return false;
    this.#last.delete(subtaskId);
    this.#last.set(subtaskId, now);
    if (this.#last.size > MAX_TRACKED) {
      const oldest = this.#last.keys().next().value;
      if (oldest !== undefined) this.#last.delete(oldest);
    }
    return true;
  }
}
