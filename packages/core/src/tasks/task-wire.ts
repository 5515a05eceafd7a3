import type { Task } from '@quarry/protocol';
import type { SubtaskStateCounts, TaskRecord } from '../ports/task-store.js';
import { iso, isoOrNull } from '../shared/time.js';

export function taskCounts(counts: SubtaskStateCounts): Task['counts'] {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return { total, ...counts } as Task['counts'];
}

/** Stored task plus its subtask counts, as the API shows it. */
export function toTask(r: TaskRecord, counts: SubtaskStateCounts): Task {
  const task = {
    id: r.id,
    kind: r.kind,
    name: r.name,
    status: r.status,
    source: r.source,
    paths: r.paths,
    createdBy: r.createdBy,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    expiresAt: iso(r.expiresAt),
    finishedAt: isoOrNull(r.finishedAt),
    ttlSeconds: r.ttlSeconds,
    maxAttempts: r.maxAttempts,
    counts: taskCounts(counts),
  };
  return task;
}
