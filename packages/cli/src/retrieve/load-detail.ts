import type { QuarryClient } from '@quarry/client';
import type { RetrievalDetail, RetrievedFile, Subtask, TaskStatus } from '@quarry/protocol';
import { paginate } from '@quarry/client';

/** Task statuses after which nothing changes (protocol/states.ts describes them). */
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = ['succeeded', 'partially_succeeded', 'failed', 'cancelled', 'expired'];

export function isTerminalTaskStatus(status: TaskStatus): boolean {
  return TERMINAL_TASK_STATUSES.includes(status);
}

/** The task with every page of its subtasks merged into one. */
export async function loadRetrievalDetail(client: QuarryClient, taskId: number, signal?: AbortSignal): Promise<RetrievalDetail> {
  const first = await client.getRetrieval(taskId, undefined, { signal });
  const subtasks: Subtask[] = [...first.subtasks.items];
  let cursor = first.subtasks.nextCursor;
  while (cursor) {
    const page = await client.getRetrieval(taskId, { cursor }, { signal });
    subtasks.push(...page.subtasks.items);
    if (page.subtasks.nextCursor === cursor) break;
    cursor = page.subtasks.nextCursor;
  }
  return { ...first, subtasks: { items: subtasks, nextCursor: null } };
}

/** Every file the task retrieved, in server order. */
export async function loadTaskFiles(client: QuarryClient, taskId: number): Promise<RetrievedFile[]> {
  const files: RetrievedFile[] = [];
  for await (const f of paginate((cursor) => client.listFiles({ taskId, cursor }))) files.push(f);
  return files;
}
