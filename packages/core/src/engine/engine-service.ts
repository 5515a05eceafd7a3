import type { EngineService } from '../services/contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { collectAbandonedUploads } from '../files/collect-abandoned-uploads.js';
import { inTransaction } from '../shared/outbox.js';
import { retryDelayMs } from '../subtasks/retry-backoff.js';
import { ACTIVE_SUBTASK_STATES, NON_TERMINAL_FILE_OP_STATES } from '../subtasks/subtask-transitions.js';
import { transitionSubtask } from '../subtasks/transition-subtask.js';
import { foldTaskStatuses } from '../tasks/fold-task-status.js';

/** Rows handled per kind per tick; the rest wait for the next tick. */
export const TICK_BATCH = 500;
/**
 * Pending task counter changes older than this are folded by the tick: the transaction that
 * recorded them folds them right after its commit, so only a crash in between leaves any.
 */
export const STALE_COUNT_DELTA_MS = 10_000;

export const ENGINE_MESSAGES = {
  unresponsive: 'the agent stopped reporting progress',
} as const;

/**
 * Time-driven transitions. Each subtask moves in its own small transaction with a conditional
 * update, so ticks on several nodes at once never apply a change twice.
 */
export function createEngineService(deps: ServiceDeps): EngineService {
  const { store, clock, settings, logger } = deps;

  async function expireQueued(now: number, touched: Set<number>): Promise<number> {
    let n = 0;
    for (const s of await store.subtasks.listExpiredQueued(now, TICK_BATCH)) {
      const moved = await inTransaction(deps, async (tx, out) => {
        const r = await transitionSubtask(tx, out, now, { subtask: s, to: 'expired' }, { patch: { finishedAt: now, nextAttemptAt: null } });
        if (r.ok) await tx.fileOps.updateBySubtask(s.id, NON_TERMINAL_FILE_OP_STATES, { state: 'cancelled' });
        return r.ok;
      }, { foldLater: touched });
      if (moved) n++;
    }
    return n;
  }

  async function handleOverdue(now: number, touched: Set<number>): Promise<{ timedOut: number; retried: number }> {
    let timedOut = 0;
    let retried = 0;
    for (const s of await store.subtasks.listOverdue(ACTIVE_SUBTASK_STATES, now, TICK_BATCH)) {
      const retry = s.attempt < s.maxAttempts;
      const moved = await inTransaction(deps, async (tx, out) => {
        const common = { deadlineAt: null, failureCode: 'AGENT_UNRESPONSIVE' as const, failureMessage: ENGINE_MESSAGES.unresponsive };
        const r = retry
          ? await transitionSubtask(tx, out, now, { subtask: s, to: 'queued' }, {
              deadlineAtOrBefore: now,
              patch: { ...common, nextAttemptAt: now + retryDelayMs(settings.retryBaseDelaySeconds, s.attempt) },
            })
          : await transitionSubtask(tx, out, now, { subtask: s, to: 'timed_out' }, { deadlineAtOrBefore: now, patch: { ...common, finishedAt: now } });
        if (!r.ok) return false;
        if (!retry) await tx.fileOps.updateBySubtask(s.id, NON_TERMINAL_FILE_OP_STATES, { state: 'failed', failureCode: 'AGENT_UNRESPONSIVE', failureMessage: ENGINE_MESSAGES.unresponsive });
        // The agent may still be busy with the old attempt; tell it to stop.
        out.publish({ type: 'cancel', endpointId: s.endpointId, subtaskId: s.id, attempt: s.attempt });
        return true;
      }, { foldLater: touched });
      if (moved) {
        if (retry) retried++;
        else timedOut++;
        logger.warn({ subtaskId: s.id, endpointId: s.endpointId, attempt: s.attempt, retry }, 'subtask unresponsive');
      }
    }
    return { timedOut, retried };
  }

  async function releaseRetries(now: number): Promise<number> {
    const endpoints = new Set<string>();
    let n = 0;
    for (const s of await store.subtasks.listDueRetries(now, TICK_BATCH)) {
      // Clearing next_attempt_at keeps the subtask claimable and marks the release as done once.
      if (await store.subtasks.update(s.id, { state: 'queued', nextAttemptAt: s.nextAttemptAt }, { nextAttemptAt: null, updatedAt: now })) {
        endpoints.add(s.endpointId);
        n++;
      }
    }
    if (endpoints.size > 0) deps.events.publish({ type: 'work-available', endpointIds: [...endpoints] });
    return n;
  }

  return {
    async tick() {
      const now = clock.now().getTime();
      // Each task's status is re-derived once for the whole tick, not once per subtask moved.
      const touched = new Set<number>();
      const expired = await expireQueued(now, touched);
      const { timedOut, retried } = await handleOverdue(now, touched);
      for (const taskId of await store.tasks.listWithPendingCounts(now - STALE_COUNT_DELTA_MS, TICK_BATCH)) touched.add(taskId);
      await foldTaskStatuses(deps, touched);
      const released = await releaseRetries(now);
      const uploadsDiscarded = await collectAbandonedUploads(deps, now);
      return { expired, timedOut, retried, released, uploadsDiscarded };
    },
  };
}
