import type { RetrievalCommand, TaskKind, WorkMessage } from '@quarry/protocol';
import type { FileOpRecord } from '../ports/file-op-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { inTransaction } from '../shared/outbox.js';
import { iso } from '../shared/time.js';
import { NON_TERMINAL_FILE_OP_STATES } from '../subtasks/subtask-transitions.js';
import { recordTaskCountDelta, transitionSubtasks } from '../subtasks/transition-subtask.js';
import { buildSweepCommand } from '../sweeps/build-sweep-command.js';
import { foldTaskStatuses } from '../tasks/fold-task-status.js';
import { TaskCountBatch } from '../tasks/task-count-batch.js';
import { dispatchPatch } from './dispatch-patch.js';

/** Most endpoints one batch claim takes; callers split larger sets. */
export const CLAIM_ENDPOINT_BATCH = 500;
/** Subtasks one batch claim hands out per endpoint on average; the rest wait for the next claim. */
const SUBTASKS_PER_ENDPOINT = 10;
/** Task kinds remembered (a kind never changes); cleared when full. */
const KIND_CACHE_MAX = 10_000;

/** Task kinds by task id, kept across claims (a kind never changes). */
export type TaskKindCache = Map<number, TaskKind>;

/**
 * claimWork for many endpoints in one transaction: one locking query (SKIP LOCKED) for all their
 * due queued subtasks, one conditional update each, one query for their files, and one pending
 * counter change per touched task (folded into its status after the commit). Fan-out of a task to
 * thousands of endpoints thus costs a few transactions instead of one per endpoint, none of which
 * waits for another on the task row.
 * Does not resend in-flight work (connect-time claims do that). Endpoints without work are absent.
 * Resolves as soon as the claim has committed, so the work goes out while the touched tasks'
 * statuses are folded (reads count their pending changes meanwhile, and a later change to the
 * same task waits for this fold before its own returns).
 */
export async function claimWorkBatch(deps: ServiceDeps, kinds: TaskKindCache, endpointIds: readonly string[]): Promise<Map<string, WorkMessage[]>> {
  const out = new Map<string, WorkMessage[]>();
  if (endpointIds.length === 0) return out;
  if (endpointIds.length > CLAIM_ENDPOINT_BATCH) throw new RangeError(`at most ${CLAIM_ENDPOINT_BATCH} endpoints per batch claim`);
  const { clock, settings } = deps;
  const now = clock.now().getTime();
  const started = Date.now();
  const touched = new Set<number>();
  const messages = await inTransaction(deps, async (tx, outbox) => {
    const claimable = await tx.subtasks.listClaimableForEndpoints(endpointIds, now, endpointIds.length * SUBTASKS_PER_ENDPOINT);
    const counts = new TaskCountBatch();
    const dispatched = await transitionSubtasks(tx, outbox, now, { subtasks: claimable, to: 'dispatched' }, {
      patchOf: (s) => dispatchPatch(s, now, settings),
      counts,
    });
    if (dispatched.length === 0) return [];
    const taskIds = [...new Set(dispatched.map((s) => s.taskId))].sort((a, b) => a - b);
    if (kinds.size > KIND_CACHE_MAX) kinds.clear();
    for (const taskId of taskIds) if (!kinds.has(taskId)) kinds.set(taskId, (await tx.tasks.getKind(taskId)) ?? 'retrieval');
    const retrievals = dispatched.filter((s) => kinds.get(s.taskId) !== 'sweep');
    const filesBySubtask = groupBySubtask(retrievals.length > 0 ? await tx.fileOps.listBySubtasks(retrievals.map((s) => s.id)) : []);
    const built: Array<[string, WorkMessage]> = [];
    for (const s of dispatched) {
      if (kinds.get(s.taskId) === 'sweep') built.push([s.endpointId, { type: 'sweep', command: await buildSweepCommand(tx, s, true, now) }]);
      else built.push([s.endpointId, { type: 'retrieve', command: retrievalCommand(s, filesBySubtask.get(s.id) ?? [], settings.chunkSize) }]);
    }
    for (const taskId of taskIds) await recordTaskCountDelta(tx, outbox, taskId, counts.take(taskId), 0, now);
    return built;
  }, { foldLater: touched });
  // Never rejects: a failed fold is logged there and left to the engine's sweep.
  if (touched.size > 0) void foldTaskStatuses(deps, touched);
  for (const [endpointId, message] of messages) {
    const list = out.get(endpointId);
    if (list) list.push(message);
    else out.set(endpointId, [message]);
  }
  if (messages.length > 0) deps.logger.info({ endpoints: out.size, count: messages.length, durationMs: Date.now() - started }, 'subtasks dispatched (batch)');
  return out;
}

function groupBySubtask(files: readonly FileOpRecord[]): Map<number, FileOpRecord[]> {
  const out = new Map<number, FileOpRecord[]>();
  for (const f of files) {
    if (!NON_TERMINAL_FILE_OP_STATES.includes(f.state)) continue;
    const list = out.get(f.subtaskId);
    if (list) list.push(f);
    else out.set(f.subtaskId, [f]);
  }
  for (const list of out.values()) list.sort((a, b) => a.id - b.id);
  return out;
}

function retrievalCommand(s: SubtaskRecord, files: readonly FileOpRecord[], chunkSize: number): RetrievalCommand {
  return {
    subtaskId: s.id,
    taskId: s.taskId,
    attempt: s.attempt,
    files: files.map((f) => ({ fileOpId: f.id, path: f.path })),
    chunkSize,
    deadlineAt: iso(s.deadlineAt ?? 0),
  };
}
