import type { Logger } from 'pino';
import { Backoff, sleep } from '../transport/backoff.js';
import { errorCodeOf, NetworkError, type HttpClient, type HttpResult, type RequestOptions } from './http-client.js';
import { ServerRejectedError, SubtaskInactiveError, UnauthorizedError } from './api-errors.js';
import { retryAfterMs } from './retry-after.js';

/** Bounded retry of one agent API call: enough to ride out a server restart, not a long outage. */
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = { attempts: 6, baseMs: 500, capMs: 10_000 };

/**
 * Sends a request, retrying network errors, 429 and 5xx (honouring Retry-After) with jittered
 * exponential back-off. Resolves with a 2xx result; throws UnauthorizedError (401),
 * SubtaskInactiveError (409 SUBTASK_NOT_ACTIVE) or ServerRejectedError for other answers.
 * An abort of `options.signal` rejects with the signal's reason at once.
 */
export async function callWithRetry(
  client: HttpClient,
  options: RequestOptions,
  logger: Logger,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<HttpResult> {
  const backoff = new Backoff({ baseMs: policy.baseMs, capMs: policy.capMs });
  for (let attempt = 1; ; attempt += 1) {
    let waitMs: number;
    let failure: Error;
    try {
      const res = await client.send(options);
      if (res.status >= 200 && res.status < 300) return res;
      const code = errorCodeOf(res.body);
      if (res.status === 401) throw new UnauthorizedError(`server answered 401${code ? ` ${code}` : ''}`);
      if (res.status === 409 && code === 'SUBTASK_NOT_ACTIVE') throw new SubtaskInactiveError('subtask not active');
      failure = new ServerRejectedError(res.status, code);
      if (res.status !== 429 && res.status < 500) throw failure;
      waitMs = retryAfterMs(res.headers) ?? backoff.next();
    } catch (err) {
      if (!(err instanceof NetworkError)) throw err;
      failure = err;
      waitMs = backoff.next();
    }
    if (attempt >= policy.attempts) throw failure;
    logger.warn({ method: options.method, path: options.path, attempt, waitMs, err: failure.message }, 'request retry');
    await sleep(waitMs, options.signal);
  }
}
