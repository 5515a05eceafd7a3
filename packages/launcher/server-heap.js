// V8 heap settings for the long-running server process. They are set with v8.setFlagsFromString
// before the server's modules load, so they hold however the process was started (npm start,
// `quarry server`, `node .../quarry.js server`, a service unit) without a launcher script that
// has to pass node options. Only these two flags are used because only they take effect at run
// time on Node 20: the heap's sizes (--max-semi-space-size) and whether a memory reducer exists
// (--no-memory-reducer) are fixed when the isolate is created, and the latter is also refused in
// NODE_OPTIONS.
//
// Measured with `npm run bench:transfer` (a 1 GiB upload, then raw and zip downloads):
//
// - The young generation grows to 2 x 16 MiB during start-up (module loading allocates fast) and
//   stays there while the server is busy. A growth factor of 1 keeps it at its initial 2 x 1 MiB.
//   Server peak RSS went from 163-167 to 139-147 MiB, idle RSS from ~115 to ~90 MiB, with no
//   measurable change in server CPU per GiB (5.4-6.2 s either way): the server's young objects
//   are few and short-lived, and its bytes live in ArrayBuffers outside the young generation.
// - After ~8 s of idleness V8's memory reducer shrinks the heap and then lets it grow only slowly
//   until it has grown well past its reduced size. A large upload after that ran back-to-back
//   mark-compacts (250-270 per GiB instead of 2) and doubled the server's CPU per GiB, because the
//   upload's ArrayBuffers (counted as external memory) kept exhausting the small old-generation
//   headroom. Long-running servers are always in that state. Delaying the reducer's start by
//   longer than any realistic idle period keeps it from running; the young generation it would
//   shrink is already small.
//
// A node holding thousands of agent connections is better off with V8's default young generation:
// the server restores the default growth once that many agents are connected
// (server/src/startup/young-generation-policy.ts).
//
// Starting a worker thread puts the flags back to what the command line said. I measured that
// with Node 20. So the server starts none, and anything that does must set them again.
//
// Node options given explicitly (on the command line or in NODE_OPTIONS) win: a semi-space size
// there leaves the growth factor alone, and a memory-reducer option leaves the reducer alone.
import { setFlagsFromString } from 'node:v8';

export const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1';
// About 23 days: V8 reads the delay as an int of milliseconds.
export const MEMORY_REDUCER_FLAG = '--gc-memory-reducer-start-delay-ms=2000000000';

/**
 * The flags {@link tuneServerHeap} sets: those of the two above that `execArgv` and `nodeOptions`
 * do not already configure.
 */
export function serverHeapFlags({ execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? '' } = {}) {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].filter((arg) => arg.startsWith('--')).map((arg) => arg.replaceAll('_', '-'));
  const mentions = (word) => given.some((arg) => arg.includes(word));
  return [...(mentions('semi-space') ? [] : [YOUNG_GENERATION_FLAG]), ...(mentions('memory-reducer') ? [] : [MEMORY_REDUCER_FLAG])];
}

/**
 * Sets the server's heap flags in this process and returns them. Call before importing the
 * server: flags set after the young generation has grown do not shrink it.
 */
export function tuneServerHeap(given) {
  const flags = serverHeapFlags(given);
  for (const flag of flags) setFlagsFromString(flag);
  return flags;
}
