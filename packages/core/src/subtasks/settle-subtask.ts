import type { FileOpRecord } from '../ports/file-op-store.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import type { EngineSettings } from '../services/engine-settings.js';
import type { Outbox } from '../shared/outbox.js';
import { decideSettlement } from './decide-settlement.js';
import { retryDelayMs } from './retry-backoff.js';
import { transitionSubtask } from './transition-subtask.js';
import { isRetryableFailure } from '@quarry/protocol';

/** Failure messages the server writes itself. */
export const SETTLEMENT_MESSAGES = {
  retrying: 'retrying after a retryable failure',
  someFilesFailed: 'some files could not be retrieved',
  filesFailed: 'the files could not be retrieved',
} as const;

/** What `fileOps.sumBytes` would say, from the subtask's file ops already read. */
export function sumFileBytes(files: readonly FileOpRecord[]): { total: number | null; done: number } {
  let total: number | null = null;
  let done = 0;
  for (const f of files) {
    if (f.size !== null) total = (total ?? 0) + f.size;
    done += f.bytesDone;
  }
  return { total, done };
}

/**
 * After a file op ended: when every file of the subtask has ended, moves the subtask to its
 * outcome (succeeded, queued for a retry with back-off, or failed). Returns the subtask as it is now.
 *
 * @param preloaded the subtask's file ops, when the caller has just read them in this transaction.
 */
export async function settleSubtask(
  tx: QuarryStore,
  out: Outbox,
  ctx: { now: number; settings: EngineSettings },
  subtask: SubtaskRecord,
  preloaded?: readonly FileOpRecord[],
): Promise<SubtaskRecord> {
  const { now, settings } = ctx;
  const files = preloaded ?? (await tx.fileOps.listBySubtasks([subtask.id]));
  const decision = decideSettlement(files, subtask.attempt, subtask.maxAttempts);
  if (decision.to === 'pending') return subtask;
  const bytes = sumFileBytes(files);
  const base = { bytesTotal: bytes.total, bytesDone: bytes.done, deadlineAt: null };
  if (decision.to === 'queued') {
    const result = await transitionSubtask(tx, out, now, { subtask, to: 'queued' }, {
      patch: {
        ...base,
        failureCode: decision.failureCode,
        failureMessage: SETTLEMENT_MESSAGES.retrying,
        nextAttemptAt: now + retryDelayMs(settings.retryBaseDelaySeconds, subtask.attempt),
      },
    });
    if (!result.ok) return subtask;
    // Only files that may succeed next time are retried; the others keep their failure.
    for (const f of files) {
      if (f.state === 'failed' && f.failureCode !== null && isRetryableFailure(f.failureCode)) {
        await tx.fileOps.update(f.id, ['failed'], { state: 'pending', failureCode: null, failureMessage: null });
      }
    }
    return result.subtask;
  }
  const failureMessage =
    decision.to === 'succeeded' ? null : decision.failureCode === 'SOME_FILES_FAILED' ? SETTLEMENT_MESSAGES.someFilesFailed : firstMessage(files);
  const result = await transitionSubtask(tx, out, now, { subtask, to: decision.to }, {
    // A subtask of small files may end without ever hearing `started`: it started with its first report.
    patch: { ...base, startedAt: subtask.startedAt ?? now, finishedAt: now, failureCode: decision.to === 'failed' ? decision.failureCode : null, failureMessage },
  });
  return result.ok ? result.subtask : subtask;
}

function firstMessage(files: ReadonlyArray<{ state: string; failureMessage: string | null }>): string {
  return files.find((f) => f.state === 'failed' && f.failureMessage)?.failureMessage ?? SETTLEMENT_MESSAGES.filesFailed;
}
