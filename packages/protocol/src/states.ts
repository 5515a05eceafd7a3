/**
 * Lifecycle states, declared once. Every other package derives its types from these arrays.
 */

/** States of a subtask: the work one endpoint does for one task. */
export const SUBTASK_STATES = [
  'queued',
  'dispatched',
  'running',
  'uploading',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'expired',
] as const;
export type SubtaskState = (typeof SUBTASK_STATES)[number];

/** Subtask states from which nothing moves any more. */
export const TERMINAL_SUBTASK_STATES = ['succeeded', 'failed', 'timed_out', 'cancelled', 'expired'] as const;
export type TerminalSubtaskState = (typeof TERMINAL_SUBTASK_STATES)[number];

export function isTerminalSubtaskState(state: SubtaskState): state is TerminalSubtaskState {
  return (TERMINAL_SUBTASK_STATES as readonly string[]).includes(state);
}

/**
 * Task status, derived from its subtasks:
 * - `pending`: no subtask has left `queued`;
 * - `running`: some subtask is between `dispatched` and `uploading`, or some are queued and others ended;
 * - `succeeded`: every subtask succeeded;
 * - `partially_succeeded`: all ended, and some files were retrieved while others were not;
 * - `failed`: all ended, none succeeded and not all were cancelled or expired;
 * - `cancelled`: all ended and every one was cancelled;
 * - `expired`: all ended, none succeeded, and at least one expired and none failed.
 */
export const TASK_STATUSES = [
  'pending',
  'running',
  'succeeded',
  'partially_succeeded',
  'failed',
  'cancelled',
  'expired',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** States of one file (one path) within a subtask. */
export const FILE_OP_STATES = ['pending', 'hashing', 'uploading', 'succeeded', 'failed', 'cancelled'] as const;
export type FileOpState = (typeof FILE_OP_STATES)[number];

/** Task kinds: a retrieval fetches given paths; a sweep walks endpoints to find files. */
export const TASK_KINDS = ['retrieval', 'sweep'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Operating systems an agent reports. */
export const OS_FAMILIES = ['linux', 'macos', 'windows'] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];

/** API roles, from least to most powerful. */
export const ROLES = ['viewer', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Which API surface created a task; vendor facades set their own name. */
export const TASK_SOURCES = ['native', 'cybereason', 'cylance', 'cortex-xdr', 'gravityzone'] as const;
export type TaskSource = (typeof TASK_SOURCES)[number];
