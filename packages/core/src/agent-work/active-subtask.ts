import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import { appError } from '../errors/catalogue.js';
import { ACTIVE_SUBTASK_STATES, isActiveSubtaskState } from '../subtasks/subtask-transitions.js';

/**
 * Loads a subtask an agent reports on. Another endpoint's subtask is SUBTASK_NOT_FOUND (agents
 * learn nothing about each other); an ended subtask or an older attempt is SUBTASK_NOT_ACTIVE.
 */
export async function requireActiveSubtask(
  store: QuarryStore,
  endpointId: string,
  subtaskId: number,
  attempt?: number,
): Promise<SubtaskRecord> {
  const subtask = await store.subtasks.get(subtaskId);
  if (!subtask || subtask.endpointId !== endpointId) throw appError('SUBTASK_NOT_FOUND', { subtaskId });
  if (!isActiveSubtaskState(subtask.state) || (attempt !== undefined && attempt !== subtask.attempt)) {
    throw appError('SUBTASK_NOT_ACTIVE', { subtaskId, state: subtask.state, attempt: subtask.attempt });
  }
  return subtask;
}

/** Every sign of life from the agent pushes the inactivity deadline out. */
export async function pushDeadline(
  store: QuarryStore,
  subtask: SubtaskRecord,
  now: number,
  inactivityTimeoutSeconds: number,
  extra: { bytesTotal?: number | null; bytesDone?: number } = {},
): Promise<void> {
  await store.subtasks.update(
    subtask.id,
    { state: ACTIVE_SUBTASK_STATES, attempt: subtask.attempt },
    { ...extra, deadlineAt: now + inactivityTimeoutSeconds * 1000, updatedAt: now },
  );
}
