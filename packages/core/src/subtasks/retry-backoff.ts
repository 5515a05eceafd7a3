/** Relative jitter around the nominal delay, so retries of many subtasks spread out. */
export const RETRY_JITTER = 0.2;

/**
 * Delay before attempt `attempt + 1`, in ms: base · 2^(attempt−1), ±20 % jitter. `random` returns
 * a value in [0, 1) and is injectable for tests.
 */
export function retryDelayMs(baseSeconds: number, attempt: number, random: () => number = Math.random): number {
  const nominal = baseSeconds * 1000 * 2 ** Math.max(0, attempt - 1);
  const factor = 1 - RETRY_JITTER + 2 * RETRY_JITTER * random();
  return Math.round(nominal * factor);
}
