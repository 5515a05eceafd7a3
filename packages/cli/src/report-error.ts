import { CommanderError } from 'commander';
import { DownloadIncompleteError, DownloadIntegrityError, QuarryApiError, QuarryNetworkError } from '@quarry/client';
import { CliUsageError, type OutStream } from './context.js';
import { MSG } from './messages.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** Prints an error the way a user should see it and picks the exit code. */
export function reportError(err: unknown, stderr: OutStream): number {
  const write = (s: string) => stderr.write(`${s}\n`);
  if (err instanceof CommanderError) {
    // commander has already printed its message (or the help text).
    return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (err instanceof CliUsageError) {
    write(MSG.usageError(err.message));
    write(MSG.usageHint);
    return EXIT_USAGE;
  }
  if (err instanceof QuarryApiError) {
    write(MSG.apiError(err.message, err.code, err.requestId));
    return EXIT_FAILURE;
  }
  if (err instanceof QuarryNetworkError || err instanceof DownloadIntegrityError || err instanceof DownloadIncompleteError) {
    write(MSG.networkError(err.message));
    return EXIT_FAILURE;
  }
  if (err instanceof Error && err.name === 'AbortError') return EXIT_INTERRUPTED;
  write(MSG.unexpectedError(err instanceof Error ? err.message : String(err)));
  return EXIT_FAILURE;
}
