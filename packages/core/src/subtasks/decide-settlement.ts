import { isRetryableFailure, type FailureCode, type FileOpState } from '@quarry/protocol';
import { isTerminalFileOpState } from './subtask-transitions.js';

export interface FileOutcome {
  state: FileOpState;
  failureCode: FailureCode | null;
}

/** What a subtask becomes once every one of its files has ended. */
export type Settlement =
  | { to: 'pending' }
  | { to: 'succeeded' }
  | { to: 'queued'; failureCode: FailureCode }
  | { to: 'failed'; failureCode: FailureCode };

/**
 * Decides the subtask outcome from its files. Files still in progress: nothing to decide. All
 * succeeded: succeeded. A retryable failure with attempts left: queued for another attempt (only
 * the retryable files are retried). Otherwise failed, with `SOME_FILES_FAILED` when some files
 * were retrieved, else the failure code; several different codes with none retrieved report the
 * most frequent one (ties: the earliest file).
 */
export function decideSettlement(files: readonly FileOutcome[], attempt: number, maxAttempts: number): Settlement {
  if (files.some((f) => !isTerminalFileOpState(f.state))) return { to: 'pending' };
  const failed = files.filter((f) => f.state === 'failed');
  if (failed.length === 0) return { to: 'succeeded' };
  const codes = failed.map((f) => f.failureCode ?? 'INTERNAL');
  const retryable = codes.find((c) => isRetryableFailure(c));
  if (retryable !== undefined && attempt < maxAttempts) return { to: 'queued', failureCode: retryable };
  if (files.some((f) => f.state === 'succeeded')) return { to: 'failed', failureCode: 'SOME_FILES_FAILED' };
  return { to: 'failed', failureCode: mostFrequent(codes) };
}

function mostFrequent(codes: FailureCode[]): FailureCode {
  const counts = new Map<FailureCode, number>();
  for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
  let best = codes[0] ?? 'INTERNAL';
  for (const [code, n] of counts) if (n > (counts.get(best) ?? 0)) best = code;
  return best;
}
