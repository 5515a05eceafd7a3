import type { RetrievalCommand } from '@quarry/protocol';
import type { Logger } from 'pino';
import { ServerRejectedError, SubtaskInactiveError, UnauthorizedError } from '../http/api-errors.js';
import type { RetrievalLimits } from '../files/open-for-retrieval.js';
import { LOG } from '../logging/log-messages.js';
import type { AgentApi } from './agent-api.js';
import { retrieveFile, type FileOutcome } from './retrieve-file.js';

/** Reason given to the AbortController when the server cancels a subtask. */
export class SubtaskCancelledError extends Error {
  override readonly name = 'SubtaskCancelledError';
}

/** How a subtask attempt ended on the agent's side. */
export type SubtaskOutcome = 'finished' | 'inactive' | 'cancelled' | 'unauthorized' | 'abandoned';

/** Dependencies of a subtask run. */
export interface SubtaskDeps {
  api: AgentApi;
  limits: RetrievalLimits;
  logger: Logger;
}

/**
 * Runs one retrieval command: retrieves its files one after another, reporting `started` first
 * when one needs a chunked upload.
 * Files are sequential on purpose: reading is disk-bound and hashing CPU-bound, so parallel files
 * on one endpoint would mostly add memory and contention. Never throws.
 */
export async function runSubtask(deps: SubtaskDeps, command: RetrievalCommand, signal: AbortSignal): Promise<SubtaskOutcome> {
  const log = deps.logger.child({ subtaskId: command.subtaskId, taskId: command.taskId, attempt: command.attempt });
  const startedAt = Date.now();
  const counts: Record<FileOutcome, number> = { succeeded: 0, skipped: 0, failed: 0 };
  try {
    log.info({ files: command.files.length }, LOG.subtaskStarted);
    // `started` is sent before the first file that takes a while (a chunked upload). A file sent
    // whole, or a failure report, is itself the server's proof that the attempt runs: a subtask of
    // small files then costs the server one request per file and nothing more.
    let started: Promise<void> | undefined;
    // A refused `started` ends the subtask, not just the file being read (which it would be as a
    // ServerRejectedError inside retrieveFile).
    const ensureStarted = (): Promise<void> =>
      (started ??= deps.api.started(command.subtaskId, command.attempt, signal).catch((err: unknown) => {
        throw err instanceof ServerRejectedError ? new Error(`started was refused: ${err.message}`, { cause: err }) : err;
      }));
    const ctx = { api: deps.api, limits: deps.limits, logger: log, signal, ensureStarted };
    for (const file of command.files) {
      signal.throwIfAborted();
      counts[await retrieveFile(ctx, { attempt: command.attempt, fileOpId: file.fileOpId, path: file.path, chunkSize: command.chunkSize })] += 1;
    }
    log.info({ ...counts, durationMs: Date.now() - startedAt }, LOG.subtaskFinished);
    return 'finished';
  } catch (err) {
    const fields = { ...counts, durationMs: Date.now() - startedAt };
    if (signal.aborted) {
      log.info(fields, LOG.subtaskCancelled);
      return 'cancelled';
    }
    if (err instanceof SubtaskInactiveError) {
      log.info(fields, LOG.subtaskInactive);
      return 'inactive';
    }
    if (err instanceof UnauthorizedError) {
      log.error(fields, LOG.credentialRejected);
      return 'unauthorized';
    }
    log.error({ ...fields, err }, LOG.subtaskAbandoned);
    return 'abandoned';
  }
}
