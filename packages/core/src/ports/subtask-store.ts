import type { FailureCode, SubtaskState } from '@quarry/protocol';
import type { PageRequest } from './page.js';

/** One endpoint's share of a task, as stored. Times are epoch milliseconds. */
export interface SubtaskRecord {
  id: number;
  taskId: number;
  endpointId: string;
  state: SubtaskState;
  attempt: number;
  maxAttempts: number;
  failureCode: FailureCode | null;
  failureMessage: string | null;
  bytesTotal: number | null;
  bytesDone: number;
  dispatchedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  deadlineAt: number | null;
  nextAttemptAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type NewSubtaskRecord = Omit<SubtaskRecord, 'id'>;

/** Fields a conditional update may change. */
export type SubtaskPatch = Partial<Omit<SubtaskRecord, 'id' | 'taskId' | 'endpointId' | 'createdAt'>>;

/** The row must still look like this for a conditional update to apply. */
export interface SubtaskExpectation {
  state?: SubtaskState | readonly SubtaskState[];
  attempt?: number;
  nextAttemptAt?: number | null;
  /** Matches only while `deadline_at` is set and ≤ this (a report may have pushed it meanwhile). */
  deadlineAtOrBefore?: number;
}

/**
 * Subtasks. Every write is conditional so that concurrent writers (several server nodes, an agent
 * racing a cancel) never both win; the boolean result says whether this caller did.
 *
 * @example const won = await store.subtasks.update(id, { state: 'queued' }, { state: 'dispatched', attempt: 1 });
 */
export interface SubtaskStore {
  insertMany(records: readonly NewSubtaskRecord[]): Promise<number[]>;
  get(id: number): Promise<SubtaskRecord | null>;
  /** A task's subtasks in id order, optionally in one state. */
  listByTask(taskId: number, filter: { state?: SubtaskState | undefined }, page: PageRequest<number>): Promise<SubtaskRecord[]>;
  listByTaskInStates(taskId: number, states: readonly SubtaskState[]): Promise<SubtaskRecord[]>;
  /** `UPDATE … WHERE id = ? AND <expectation>`; true when the row matched. */
  update(id: number, expect: SubtaskExpectation, patch: SubtaskPatch): Promise<boolean>;
  /**
   * `update` for many subtasks with the same expectation and patch, in one statement (batches of
   * a few hundred). Returns the ids it moved; the others lost their race.
   */
  updateMany(ids: readonly number[], expect: SubtaskExpectation, patch: SubtaskPatch): Promise<number[]>;
  /**
   * Queued subtasks of the endpoint that are due (`next_attempt_at` null or ≤ now) and whose task
   * has not expired. Where the database supports it the rows are locked, skipping locked ones.
   */
  listClaimable(endpointId: string, now: number, limit: number): Promise<SubtaskRecord[]>;
  /**
   * Which of `endpointIds` have at least one subtask listClaimable would return (no locks taken).
   * One query per call: a node's periodic safety-net sweep asks it for all its connected agents.
   */
  listEndpointsWithClaimable(endpointIds: readonly string[], now: number): Promise<string[]>;
  /** listClaimable for several endpoints at once (at most `limit` rows in all, by id), locked likewise. */
  listClaimableForEndpoints(endpointIds: readonly string[], now: number, limit: number): Promise<SubtaskRecord[]>;
  listByEndpointInStates(endpointId: string, states: readonly SubtaskState[], limit: number): Promise<SubtaskRecord[]>;
  /** Queued subtasks whose task's `expires_at` ≤ now. */
  listExpiredQueued(now: number, limit: number): Promise<SubtaskRecord[]>;
  /** Subtasks in `states` with `deadline_at` ≤ now. */
  listOverdue(states: readonly SubtaskState[], now: number, limit: number): Promise<SubtaskRecord[]>;
  /** Queued subtasks with a back-off that has elapsed (`next_attempt_at` not null and ≤ now). */
  listDueRetries(now: number, limit: number): Promise<SubtaskRecord[]>;
}
