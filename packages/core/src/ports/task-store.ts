import type { SubtaskState, TaskKind, TaskSource, TaskStatus } from '@quarry/protocol';
import type { PageRequest } from './page.js';

/** A task as stored; `status` is derived from its subtasks and kept in step in the same transaction. */
export interface TaskRecord {
  id: number;
  kind: TaskKind;
  name: string;
  source: TaskSource;
  paths: string[];
  createdBy: string;
  ttlSeconds: number;
  maxAttempts: number;
  expiresAt: number;
  status: TaskStatus;
  finishedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type NewTaskRecord = Omit<TaskRecord, 'id'>;

/** Subtask counts by state. */
export type SubtaskStateCounts = Record<SubtaskState, number>;

/** Change to a task's per-state subtask counters (e.g. `{ queued: -1, dispatched: 1 }`). */
export type SubtaskCountDelta = Partial<Record<SubtaskState, number>>;

/** The counters kept on a task row, in step with its subtasks and file ops. */
export interface TaskCounters {
  counts: SubtaskStateCounts;
  /** File ops of the task in state `succeeded`. */
  filesSucceeded: number;
}

/**
 * Tasks, listed newest first (descending id).
 *
 * @example const id = await store.tasks.insert(record); await store.tasks.setStatus(id, 'running', null, now);
 */
export interface TaskStore {
  insert(record: NewTaskRecord): Promise<number>;
  get(id: number): Promise<TaskRecord | null>;
  /** The task's kind, read without locking the row (a kind never changes); null when unknown. */
  getKind(id: number): Promise<TaskKind | null>;
  list(filter: { status?: TaskStatus | undefined; kind?: TaskKind | undefined }, page: PageRequest<number>): Promise<TaskRecord[]>;
  setStatus(id: number, status: TaskStatus, finishedAt: number | null, updatedAt: number): Promise<void>;
  /**
   * Counts of each task's subtasks by state, read from the counters on the task rows plus their
   * pending changes; tasks without subtasks (or unknown) map to all zeros.
   */
  countSubtasks(taskIds: readonly number[]): Promise<Map<number, SubtaskStateCounts>>;
  /**
   * Adds `delta` to the task's subtask counters and `filesSucceededDelta` to its succeeded-file
   * counter in one atomic update, together with every pending change (`recordCountDelta`) committed
   * so far, and returns the counters after it (null: no such task). The update locks the task row
   * until the transaction ends, so each transaction sees every earlier committed change; an empty
   * delta is a way to lock, fold and read them.
   */
  adjustCounts(taskId: number, delta: SubtaskCountDelta, filesSucceededDelta?: number): Promise<TaskCounters | null>;
  /**
   * Records a change to the task's counters without touching (or locking) the task row: an
   * insert-only pending row, which `adjustCounts` and `foldCounts` later move into the counters.
   * `countSubtasks` includes pending changes. Whoever records one must see it folded (core does
   * so right after the commit; a sweep catches any left by a crash).
   */
  recordCountDelta(taskId: number, delta: SubtaskCountDelta, filesSucceededDelta: number, at: number): Promise<void>;
  /**
   * Moves the task's pending counter changes into its counters under the task row lock (as
   * `adjustCounts` with an empty delta does) and says how many were moved (0: nothing to do,
   * someone else folded them), with the task's stored status and finish time as of the lock.
   * Null when there is no such task.
   */
  foldCounts(taskId: number): Promise<{ counters: TaskCounters; folded: number; task: Pick<TaskRecord, 'status' | 'finishedAt'> } | null>;
  /** Tasks with pending counter changes recorded at or before `before`, at most `limit`. */
  listWithPendingCounts(before: number, limit: number): Promise<number[]>;
}
