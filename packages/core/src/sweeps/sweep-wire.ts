import type { FileElement, SweepCounters, SweepResult, SweepStats, SweepSubtask, SweepTask } from '@quarry/protocol';
import type { ElementWithHost } from '../ports/element-store.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import type { SweepResultRecord } from '../ports/sweep-store.js';
import type { SubtaskStateCounts, TaskRecord } from '../ports/task-store.js';
import type { SweepRecord } from '../ports/sweep-store.js';
import { iso, isoOrNull } from '../shared/time.js';
import { toSubtasks } from '../subtasks/subtask-wire.js';
import { toTask } from '../tasks/task-wire.js';

/** Counters before the agent has reported anything. */
export const ZERO_COUNTERS: SweepCounters = {
  filesListed: 0,
  filesMatched: 0,
  bytesHashed: 0,
  skippedUnreadable: 0,
  skippedLoops: 0,
  skippedDenied: 0,
  rootsMissing: 0,
  durationMs: 0,
};

export function toSweepTask(task: TaskRecord, counts: SubtaskStateCounts, sweep: SweepRecord): SweepTask {
  return { ...toTask(task, counts), criteria: sweep.criteria };
}

export function toElement(e: ElementWithHost): FileElement {
  return {
    id: e.id,
    guid: e.guid,
    endpointId: e.endpointId,
    hostname: e.hostname,
    path: e.path,
    name: e.name,
    size: e.size,
    mtime: isoOrNull(e.mtime),
    owner: e.owner,
    md5: e.md5,
    sha1: e.sha1,
    sha256: e.sha256,
    firstSeenAt: iso(e.firstSeenAt),
    lastSeenAt: iso(e.lastSeenAt),
    lastTaskId: e.lastTaskId,
  };
}

export function toSweepResult(r: SweepResultRecord): SweepResult {
  return { id: r.id, taskId: r.taskId, subtaskId: r.subtaskId, seenAt: iso(r.seenAt), element: toElement(r.element) };
}

/** Subtasks with their sweep progress and result counts. */
export async function toSweepSubtasks(store: QuarryStore, subtasks: readonly SubtaskRecord[]): Promise<SweepSubtask[]> {
  const ids = subtasks.map((s) => s.id);
  const [mapped, progress] = await Promise.all([toSubtasks(store, subtasks), store.sweeps.getProgress(ids)]);
  return mapped.map((s) => {
    const p = progress.get(s.id);
    const sweep: SweepStats = {
      ...(p?.counters ?? ZERO_COUNTERS),
      done: p?.done ?? false,
      truncated: p?.truncated ?? false,
      budgetHit: p?.budgetHit ?? null,
      results: p?.results ?? 0,
    };
    return { ...s, sweep };
  });
}
