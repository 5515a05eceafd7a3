import type { RetrievalCommand } from '@quarry/protocol';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { inTransaction } from '../shared/outbox.js';
import { iso } from '../shared/time.js';
import { ACTIVE_SUBTASK_STATES, NON_TERMINAL_FILE_OP_STATES } from '../subtasks/subtask-transitions.js';
import { transitionSubtask } from '../subtasks/transition-subtask.js';

/** Most subtasks one claim hands to an agent; the rest wait for its next claim. */
export const CLAIM_BATCH = 100;
/** Most in-flight subtasks re-sent after a reconnect. */
export const RESEND_LIMIT = 1000;

/** Moves due queued subtasks of the endpoint to `dispatched` and builds their commands. */
export async function claimCommands(deps: ServiceDeps, endpointId: string, resendInFlight: boolean): Promise<RetrievalCommand[]> {
  const { clock, settings } = deps;
  const now = clock.now().getTime();
  return inTransaction(deps, async (tx, out) => {
    const commands: RetrievalCommand[] = [];
    const claimed = new Set<number>();
    if (resendInFlight) {
      for (const s of await tx.subtasks.listByEndpointInStates(endpointId, ACTIVE_SUBTASK_STATES, RESEND_LIMIT)) {
        commands.push(await buildCommand(tx, s, settings.chunkSize));
        claimed.add(s.id);
      }
    }
    for (const s of await tx.subtasks.listClaimable(endpointId, now, CLAIM_BATCH)) {
      if (claimed.has(s.id)) continue;
      const result = await transitionSubtask(tx, out, now, { subtask: s, to: 'dispatched' }, {
        patch: {
          attempt: s.attempt + 1,
          dispatchedAt: now,
          startedAt: null,
          deadlineAt: now + settings.inactivityTimeoutSeconds * 1000,
          nextAttemptAt: null,
        },
      });
      if (result.ok) commands.push(await buildCommand(tx, result.subtask, settings.chunkSize));
    }
    if (commands.length > 0) deps.logger.info({ endpointId, count: commands.length }, 'subtasks dispatched');
    return commands;
  });
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
