import type { SweepBudgetName, SweepCounters, SweepCriteria } from '@quarry/protocol';
import type { ElementFilter, ElementWithHost } from './element-store.js';
import type { PageRequest } from './page.js';

/** A sweep task's criteria, stored beside its task row. */
export interface SweepRecord {
  taskId: number;
  criteria: SweepCriteria;
  createdAt: number;
}

/** Where one sweep subtask's current attempt stands: batches received and what the walk counted. */
export interface SweepProgressRecord {
  subtaskId: number;
  taskId: number;
  attempt: number;
  /** The batch sequence number expected next. */
  nextSeq: number;
  counters: SweepCounters;
  done: boolean;
  truncated: boolean;
  budgetHit: SweepBudgetName | null;
  /** Results linked to the subtask, over all its attempts. */
  results: number;
  updatedAt: number;
}

/** A result row: which element a sweep subtask found, with the element as it is now. */
export interface SweepResultRecord {
  id: number;
  taskId: number;
  subtaskId: number;
  seenAt: number;
  element: ElementWithHost;
}

export interface SweepResultFilter extends Omit<ElementFilter, 'pathLike'> {
  taskId: number;
}

/**
 * Sweeps: criteria, per-subtask progress and the result links to file elements.
 *
 * @example if (await store.sweeps.advanceProgress(id, attempt, seq, patch)) await store.sweeps.linkResults(taskId, id, ids, now);
 */
export interface SweepStore {
  insert(record: SweepRecord): Promise<void>;
  get(taskId: number): Promise<SweepRecord | null>;
  /** Starts (or restarts, for a new attempt) a subtask's progress at batch 0 with zero counters. */
  resetProgress(subtaskId: number, taskId: number, attempt: number, now: number): Promise<void>;
  getProgress(subtaskIds: readonly number[]): Promise<Map<number, SweepProgressRecord>>;
  /**
   * Moves the progress of `attempt` from batch `seq` to `seq + 1` and applies `patch`; false when
   * the row is not at that attempt and batch (a repeat, or a newer attempt).
   */
  advanceProgress(
    subtaskId: number,
    attempt: number,
    seq: number,
    patch: Partial<Pick<SweepProgressRecord, 'counters' | 'done' | 'truncated' | 'budgetHit'>> & { updatedAt: number },
  ): Promise<boolean>;
  /** Links elements to a subtask (and counts them on its progress); links that exist already are kept. Returns how many were new. */
  linkResults(taskId: number, subtaskId: number, elementIds: readonly number[], seenAt: number): Promise<number>;
  /** Results linked per subtask, as counted by linkResults. */
  countResults(subtaskIds: readonly number[]): Promise<Map<number, number>>;
  /** A task's results in arrival (id) order. */
  listResults(filter: SweepResultFilter, page: PageRequest<number>): Promise<SweepResultRecord[]>;
}
