import type { FileOp, Subtask } from '@quarry/protocol';
import type { FileOpRecord } from '../ports/file-op-store.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import { iso, isoOrNull } from '../shared/time.js';

export function toFileOp(f: FileOpRecord): FileOp {
  const op = {
    id: f.id,
    path: f.path,
    state: f.state,
    failureCode: f.failureCode,
    failureMessage: f.failureMessage,
    size: f.size,
    bytesDone: f.bytesDone,
    fileId: f.state === 'succeeded' ? f.id : null,
  };
  return op;
}

export function toSubtask(s: SubtaskRecord, hostname: string, files: readonly FileOpRecord[]): Subtask {
  const subtask = {
    id: s.id,
    taskId: s.taskId,
    endpointId: s.endpointId,
    hostname,
    state: s.state,
    attempt: s.attempt,
    maxAttempts: s.maxAttempts,
    failureCode: s.failureCode,
    failureMessage: s.failureMessage,
    bytesTotal: s.bytesTotal,
    bytesDone: s.bytesDone,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    dispatchedAt: isoOrNull(s.dispatchedAt),
    startedAt: isoOrNull(s.startedAt),
    finishedAt: isoOrNull(s.finishedAt),
    deadlineAt: isoOrNull(s.deadlineAt),
    nextAttemptAt: isoOrNull(s.nextAttemptAt),
    files: files.map(toFileOp),
  };
  return subtask;
}

/** Maps many subtasks with one file-op query and one endpoint query. */
export async function toSubtasks(store: QuarryStore, subtasks: readonly SubtaskRecord[]): Promise<Subtask[]> {
  const files = await store.fileOps.listBySubtasks(subtasks.map((s) => s.id));
  const endpoints = await store.endpoints.getMany([...new Set(subtasks.map((s) => s.endpointId))]);
  const hostnames = new Map(endpoints.map((e) => [e.id, e.hostname]));
  const filesBySubtask = new Map<number, typeof files>();
  for (const f of files) {
    const list = filesBySubtask.get(f.subtaskId);
    if (list) list.push(f);
    else filesBySubtask.set(f.subtaskId, [f]);
  }
  return subtasks.map((s) => toSubtask(s, hostnames.get(s.endpointId) ?? '', filesBySubtask.get(s.id) ?? []));
}
