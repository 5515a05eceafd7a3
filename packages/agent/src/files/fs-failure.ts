import type { FailureCode } from '@quarry/protocol';

/** A file could not be retrieved, for a reason reported to the server as a failure code. */
export class FileFailure extends Error {
  override readonly name = 'FileFailure';
  constructor(
    readonly code: FailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const CODE_BY_ERRNO: Readonly<Record<string, FailureCode>> = {
  ENOENT: 'NOT_FOUND',
  ENOTDIR: 'NOT_FOUND',
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
  EISDIR: 'IS_A_DIRECTORY',
  ENAMETOOLONG: 'INVALID_PATH',
  // Windows reports names with reserved characters (<>"|?*) as EINVAL.
  EINVAL: 'INVALID_PATH',
};

/** Maps a Node fs error (stat, open, read) to the failure code reported for the file. */
export function failureCodeOf(err: unknown): FailureCode {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return (code && CODE_BY_ERRNO[code]) || 'IO_ERROR';
}

/** Wraps an fs error as a FileFailure with a short message naming the operation and errno. */
export function fileFailureFromFs(err: unknown, operation: string): FileFailure {
  const e = err as NodeJS.ErrnoException;
  const detail = e?.message ?? String(err);
  return new FileFailure(failureCodeOf(err), `${operation} failed (${detail})`, { cause: err });
}
