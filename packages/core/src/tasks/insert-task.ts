import type { QuarryStore } from '../ports/quarry-store.js';
import type { NewTaskRecord } from '../ports/task-store.js';

/** What differs between task kinds when one is created; the rest starts the same for all. */
export type TaskDraft = Pick<NewTaskRecord, 'kind' | 'name' | 'source' | 'paths' | 'createdBy' | 'ttlSeconds' | 'maxAttempts'>;

/** Inserts a new task, `pending` until its subtasks move, expiring `ttlSeconds` from `now`. */
export function insertTask(tx: QuarryStore, now: number, draft: TaskDraft): Promise<number> {
  return tx.tasks.insert({
    ...draft,
    expiresAt: now + draft.ttlSeconds * 1000,
    status: 'pending',
    finishedAt: null,
    createdAt: now,
    updatedAt: now,
  });
}

/**
 * Inserts one queued subtask per endpoint (attempt 0: no attempt has started) and counts them on
 * the task row. Returns their ids in the order of `endpointIds`.
 */
export async function insertQueuedSubtasks(
  tx: QuarryStore,
  now: number,
  task: { taskId: number; maxAttempts: number },
  endpointIds: readonly string[],
): Promise<number[]> {
  const ids = await tx.subtasks.insertMany(
    endpointIds.map((endpointId) => ({
      taskId: task.taskId,
      endpointId,
      state: 'queued' as const,
      attempt: 0,
      maxAttempts: task.maxAttempts,
      failureCode: null,
      failureMessage: null,
      bytesTotal: null,
      bytesDone: 0,
      dispatchedAt: null,
      startedAt: null,
      finishedAt: null,
      deadlineAt: null,
      nextAttemptAt: null,
      createdAt: now,
      updatedAt: now,
    })),
  );
  if (ids.length > 0) await tx.tasks.adjustCounts(task.taskId, { queued: ids.length });
  return ids;
}
