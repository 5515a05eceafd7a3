/**
 * Errors thrown by @quarry/client. API failures carry the server's envelope; transport failures
 * say which URL could not be reached and keep the underlying error as `cause`.
 */

/** The server answered with an error status (and, normally, the `{error:{…}}` envelope). */
export class QuarryApiError extends Error {
  override readonly name = 'QuarryApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
    readonly requestId: string,
  ) {
    super(message);
  }
}

/** The request never produced an HTTP response: DNS, refused connection, reset, TLS, abort. */
export class QuarryNetworkError extends Error {
  override readonly name = 'QuarryNetworkError';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`cannot reach ${url}: ${describeCause(cause)}`, { cause });
  }
}

/** A download finished but its content is not what the server promised. The temp file is gone. */
export class DownloadIntegrityError extends Error {
  override readonly name = 'DownloadIntegrityError';
  constructor(
    readonly path: string,
    readonly expectedSha256: string,
    readonly actualSha256: string,
  ) {
    super(`sha256 mismatch for ${path}: expected ${expectedSha256}, got ${actualSha256}; the partial file was deleted`);
  }
}

/** The body ended before the announced length; the partial file is kept so it can be resumed. */
export class DownloadIncompleteError extends Error {
  override readonly name = 'DownloadIncompleteError';
  constructor(
    readonly tempPath: string,
    readonly received: number,
    readonly expected: number,
  ) {
    super(`download ended after ${received} of ${expected} bytes; partial data kept in ${tempPath}`);
  }
}

/** `fetch` hides the real reason (ECONNREFUSED…) in `cause`; surface it. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = (cause as Error & { cause?: unknown }).cause;
  if (inner instanceof Error) {
    const code = (inner as Error & { code?: string }).code;
    return code ? `${code} (${inner.message})` : inner.message;
  }
  return cause.message;
}
