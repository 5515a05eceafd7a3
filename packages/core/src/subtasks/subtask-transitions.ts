import type { FileOpState, SubtaskState } from '@quarry/protocol';

/**
 * Legal subtask moves. `queued` is reachable again from the active states: that is a retry
 * (failure worth another attempt, or an agent that went silent).
 */
export const SUBTASK_TRANSITIONS: Readonly<Record<SubtaskState, readonly SubtaskState[]>> = {
  queued: ['dispatched', 'cancelled', 'expired'],
  dispatched: ['running', 'uploading', 'succeeded', 'failed', 'queued', 'timed_out', 'cancelled'],
  running: ['uploading', 'succeeded', 'failed', 'queued', 'timed_out', 'cancelled'],
  uploading: ['succeeded', 'failed', 'queued', 'timed_out', 'cancelled'],
  succeeded: [],
  failed: [],
  timed_out: [],
  cancelled: [],
  expired: [],
};

/** States in which an agent holds the subtask and its reports count. */
export const ACTIVE_SUBTASK_STATES: readonly SubtaskState[] = ['dispatched', 'running', 'uploading'];
export const NON_TERMINAL_SUBTASK_STATES: readonly SubtaskState[] = ['queued', ...ACTIVE_SUBTASK_STATES];

export const NON_TERMINAL_FILE_OP_STATES: readonly FileOpState[] = ['pending', 'hashing', 'uploading'];

export function canTransition(from: SubtaskState, to: SubtaskState): boolean {
  return SUBTASK_TRANSITIONS[from].includes(to);
}

export function isActiveSubtaskState(state: SubtaskState): boolean {
  return ACTIVE_SUBTASK_STATES.includes(state);
}

export function isTerminalFileOpState(state: FileOpState): boolean {
  return !NON_TERMINAL_FILE_OP_STATES.includes(state);
}
