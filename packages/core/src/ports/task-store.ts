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
  list(filter: { status?: TaskStatus | undefined; kind?: TaskKind | undefined }, page: PageRequest<number>): Promise<TaskRecord[]>;
  setStatus(id: number, status: TaskStatus, finishedAt: number | null, updatedAt: number): Promise<void>;
  /**
   * Counts of each task's subtasks by state, read from the counters on the task rows; tasks
   * without subtasks (or unknown) map to all zeros.
   */
  countSubtasks(taskIds: readonly number[]): Promise<Map<number, SubtaskStateCounts>>;
  /**
   * Adds `delta` to the task's subtask counters and `filesSucceededDelta` to its succeeded-file
   * counter in one atomic update, and returns the counters after it (null: no such task). The
   * update locks the task row until the transaction ends, so each transaction sees every earlier
   * committed change; an empty delta is a way to lock and read them.
   */
  adjustCounts(taskId: number, delta: SubtaskCountDelta, filesSucceededDelta?: number): Promise<TaskCounters | null>;
}
