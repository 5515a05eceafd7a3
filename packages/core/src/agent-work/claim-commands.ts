import { TASK_KINDS, type RetrievalCommand, type TaskKind, type WorkMessage } from '@quarry/protocol';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { inTransaction } from '../shared/outbox.js';
import { iso } from '../shared/time.js';
import { ACTIVE_SUBTASK_STATES, NON_TERMINAL_FILE_OP_STATES } from '../subtasks/subtask-transitions.js';
import { transitionSubtask } from '../subtasks/transition-subtask.js';
import { buildSweepCommand } from '../sweeps/build-sweep-command.js';
import { dispatchPatch } from './dispatch-patch.js';

/** Most subtasks one claim hands to an agent; the rest wait for its next claim. */
export const CLAIM_BATCH = 100;
/** Most in-flight subtasks re-sent after a reconnect. */
export const RESEND_LIMIT = 1000;

/** Moves due queued retrieval subtasks of the endpoint to `dispatched` and builds their commands. */
export async function claimCommands(deps: ServiceDeps, endpointId: string, resendInFlight: boolean): Promise<RetrievalCommand[]> {
  const messages = await claimWork(deps, endpointId, resendInFlight, ['retrieval']);
  return messages.flatMap((m) => (m.type === 'retrieve' ? [m.command] : []));
}

/**
 * Moves due queued subtasks of the endpoint whose task is of one of `kinds` to `dispatched` and
 * builds the message carrying each one's work. Subtasks of other kinds stay queued.
 */
export async function claimWork(
  deps: ServiceDeps,
  endpointId: string,
  resendInFlight: boolean,
  kinds: readonly TaskKind[] = TASK_KINDS,
): Promise<WorkMessage[]> {
  const { clock, settings } = deps;
  const now = clock.now().getTime();
  return inTransaction(deps, async (tx, out) => {
    const messages: WorkMessage[] = [];
    const claimed = new Set<number>();
    const kindOf = taskKinds(tx);
    if (resendInFlight) {
      for (const s of await tx.subtasks.listByEndpointInStates(endpointId, ACTIVE_SUBTASK_STATES, RESEND_LIMIT)) {
        const kind = await kindOf(s.taskId);
        if (!kinds.includes(kind)) continue;
        messages.push(await buildWork(tx, kind, s, settings.chunkSize, false, now));
        claimed.add(s.id);
      }
    }
    for (const s of await tx.subtasks.listClaimable(endpointId, now, CLAIM_BATCH)) {
      if (claimed.has(s.id)) continue;
      const kind = await kindOf(s.taskId);
      if (!kinds.includes(kind)) continue;
      const result = await transitionSubtask(tx, out, now, { subtask: s, to: 'dispatched' }, {
        patch: dispatchPatch(s, now, settings),
      });
      if (result.ok) messages.push(await buildWork(tx, kind, result.subtask, settings.chunkSize, true, now));
    }
    if (messages.length > 0) deps.logger.info({ endpointId, count: messages.length }, 'subtasks dispatched');
    return messages;
  });
}

/** Task kinds by id, each task read once per claim. */
function taskKinds(tx: QuarryStore): (taskId: number) => Promise<TaskKind> {
  const cache = new Map<number, TaskKind>();
  return async (taskId) => {
    let kind = cache.get(taskId);
    if (kind === undefined) {
      kind = (await tx.tasks.getKind(taskId)) ?? 'retrieval';
      cache.set(taskId, kind);
    }
    return kind;
  };
}

/** A newly dispatched attempt (`fresh`) of a sweep starts its result batches over at 0. */
async function buildWork(tx: QuarryStore, kind: TaskKind, s: SubtaskRecord, chunkSize: number, fresh: boolean, now: number): Promise<WorkMessage> {
  if (kind === 'sweep') return { type: 'sweep', command: await buildSweepCommand(tx, s, fresh, now) };
  return { type: 'retrieve', command: await buildCommand(tx, s, chunkSize) };
}

/** The files still to fetch: on a retry, those not yet retrieved. */
async function buildCommand(tx: QuarryStore, s: SubtaskRecord, chunkSize: number): Promise<RetrievalCommand> {
  const files = (await tx.fileOps.listBySubtasks([s.id])).filter((f) => NON_TERMINAL_FILE_OP_STATES.includes(f.state));
  return {
    subtaskId: s.id,
    taskId: s.taskId,
    attempt: s.attempt,
    files: files.map((f) => ({ fileOpId: f.id, path: f.path })),
    chunkSize,
    deadlineAt: iso(s.deadlineAt ?? 0),
  };
}
