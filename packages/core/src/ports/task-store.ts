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
  /** Counts of each task's subtasks by state; tasks without subtasks map to all zeros. */
  countSubtasks(taskIds: readonly number[]): Promise<Map<number, SubtaskStateCounts>>;
}
