/**
 * Time source. Every time-driven rule (deadlines, TTLs, link expiry) reads `now()` from here so
 * tests can move time without sleeping.
 *
 * @example const clock: Clock = { now: () => new Date() };
 */
export interface Clock {
  now(): Date;
}
