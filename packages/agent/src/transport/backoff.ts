/** Tuning of an exponential back-off. */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Source of randomness in [0, 1); injectable so tests can check the bounds exactly. */
  random?: () => number;
}

/** Reconnect back-off of the control channel: base 0.5 s, cap 30 s. */
export const RECONNECT_BACKOFF: Readonly<BackoffOptions> = { baseMs: 500, capMs: 30_000 };

/**
 * Exponential back-off with full jitter: the n-th delay is uniform in [0, min(cap, base·2^n)].
 * Full jitter (rather than equal or no jitter) spreads a fleet of agents reconnecting after a
 * server restart over the whole window instead of having them arrive in waves.
 */
export class Backoff {
  readonly #options: BackoffOptions;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
  }

  /** Number of delays handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Upper bound of the next delay. */
  ceilingMs(): number {
    const exp = Math.min(this.#attempt, 30);
    return Math.min(this.#options.capMs, this.#options.baseMs * 2 ** exp);
  }

  /** The next delay in ms, and advances the attempt counter. */
  next(): number {
    const delay = Math.floor(this.#random() * this.ceilingMs());
    this.#attempt += 1;
    return delay;
  }

  /** Jumps straight to the cap: used when retrying fast is pointless (credential rejected). */
  toCap(): number {
    this.#attempt = 31;
    return this.#options.capMs;
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Resolves after `ms`, or rejects early with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
