import type { SweepCommand } from '@quarry/protocol';
import { SubtaskInactiveError, UnauthorizedError } from '../http/api-errors.js';
import { LOG } from '../logging/log-messages.js';
import type { SubtaskDeps, SubtaskOutcome } from '../retrieval/run-subtask.js';
import { HashPool } from './hash-pool.js';
import { loadOwnerNames } from './owner-names.js';
import { ResultBatcher, type BatcherOptions } from './result-batcher.js';
import { compileSweepFilters } from './sweep-filters.js';
import { SweepWalk } from './walk-tree.js';

/** Failure message sent when the walk itself broke (a bug or an exhausted resource). */
export const SWEEP_FAILURE_MESSAGE = 'the sweep stopped on an unexpected agent error';

export interface SweepRunOptions {
  platform?: NodeJS.Platform;
  hashWorkers?: number;
  batcher?: Partial<BatcherOptions>;
}

/**
 * Runs one sweep command: reports `started`, walks the roots while result batches stream to the
 * server, then sends the final batch (`done`, truncated or not). Cancellation (the signal) stops
 * the walk and the hashing promptly and sends nothing more. Never throws.
 */
export async function runSweep(deps: SubtaskDeps, command: SweepCommand, signal: AbortSignal, options: SweepRunOptions = {}): Promise<SubtaskOutcome> {
  const log = deps.logger.child({ subtaskId: command.subtaskId, taskId: command.taskId, attempt: command.attempt, kind: 'sweep' });
  const { criteria } = command;
  const filters = compileSweepFilters(criteria, options.platform);
  const pool = new HashPool({
    budget: criteria.budgets.maxBytesHashed,
    minSize: criteria.minSize,
    maxSize: criteria.maxSize,
    modifiedSinceMs: filters.modifiedSinceMs,
    hashes: criteria.hashes,
    ...(options.hashWorkers ? { workers: options.hashWorkers } : {}),
  });
  let walk: SweepWalk | undefined;
  const batcher = new ResultBatcher(
    (batch) => deps.api.sweepResults(command.subtaskId, { attempt: command.attempt, ...batch }, signal),
    () => walk?.progress() ?? { filesListed: 0, filesMatched: 0, bytesHashed: 0, skippedUnreadable: 0, skippedLoops: 0, skippedDenied: 0, rootsMissing: 0, durationMs: 0 },
    options.batcher,
  );
  try {
    await deps.api.started(command.subtaskId, command.attempt, signal);
    log.info({ roots: criteria.roots.length }, LOG.sweepStarted);
    walk = new SweepWalk({
      filters,
      budgets: criteria.budgets,
      policy: deps.limits.policy,
      pool,
      owners: await loadOwnerNames(options.platform),
      emit: (row) => batcher.add(row),
      signal,
      foreignRoots: criteria.roots.length - filters.roots.length,
    });
    const summary = await walk.run();
    await batcher.finish({ done: summary });
    log.info({ ...summary, batches: batcher.sent }, LOG.sweepFinished);
    return 'finished';
  } catch (err) {
    if (signal.aborted) {
      batcher.close();
      log.info({}, LOG.subtaskCancelled);
      return 'cancelled';
    }
    if (err instanceof SubtaskInactiveError) {
      batcher.close();
      log.info({}, LOG.subtaskInactive);
      return 'inactive';
    }
    if (err instanceof UnauthorizedError) {
      batcher.close();
      log.error({}, LOG.credentialRejected);
      return 'unauthorized';
    }
    log.error({ err }, LOG.subtaskAbandoned);
    // Best effort: the server can retry now rather than after the inactivity timeout.
    const message = `${SWEEP_FAILURE_MESSAGE}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 2000);
    await batcher.finish({ failure: { code: 'INTERNAL', message } }).catch(() => batcher.close());
    return 'abandoned';
  } finally {
    await pool.close();
  }
}
