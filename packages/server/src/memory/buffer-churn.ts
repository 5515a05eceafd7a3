/**
 * Frees the buffers a transfer has finished with while they are still few.
 *
 * Every 64 KiB a transfer moves allocates a new buffer: a socket or file read, and each
 * node:crypto output. Most of them are dead a few milliseconds later, but V8 frees a dead buffer
 * only when it collects the young generation. It does so when the young generation's JavaScript
 * objects fill it, or when the buffers allocated in it since the last collection reach twice V8's
 * default semi-space size. On 64-bit builds that is a fixed 32 MiB (Heap::AllocateExternalBackingStore,
 * V8 11.3). A buffer is a small object holding many bytes, so during a transfer it is mostly the
 * 32 MiB that triggers (--trace-gc says "external memory pressure"), and up to 32 MiB of dead
 * buffers were held.
 *
 * The transfer paths report the bytes they allocate with {@link noteBufferChurn}. Every
 * {@link CHURN_STEP_BYTES} the server collects the young generation itself, which takes ~0.3 ms.
 * Measured with `npm run bench:transfer` (1 GiB up, then raw and zip downloads): server peak RSS
 * 148-162 -> 134-138 MiB, with no extra full collections and no growth of the old generation.
 *
 * Only the young generation is collected: buffers live for milliseconds, so a buffer that is
 * alive at one of these collections is rarely alive at the next, and few get promoted. A forced
 * full collection would also reset V8's heap sizing (see launcher/server-heap.js).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { raiseMallocThresholds } from './malloc-thresholds.js';

/** Bytes of transfer buffers between two collections of the young generation. */
export const CHURN_STEP_BYTES = 16 * 1024 * 1024;

type GcFunction = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let collectYoung: (() => void) | null | undefined;
let sinceCollection = 0;

/** Reports `bytes` of newly allocated transfer buffers; collects the young generation every CHURN_STEP_BYTES. */
export function noteBufferChurn(bytes: number): void {
  if (collectYoung === undefined) {
    // The first transfer of this process: see malloc-thresholds.ts.
    raiseMallocThresholds();
    collectYoung = youngCollector();
  }
  sinceCollection += bytes;
  if (sinceCollection < CHURN_STEP_BYTES) return;
  sinceCollection = 0;
  collectYoung?.();
}

/**
 * V8's gc() for the young generation, or null where it cannot be had. The flag makes V8 install
 * gc() in contexts created after it is set; only the one made here is, and the flag is turned off
 * again so that no other context gets one.
 */
function youngCollector(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as GcFunction | undefined;
    setFlagsFromString('--no-expose-gc');
    return typeof gc === 'function' ? () => gc({ type: 'minor' }) : null;
  } catch {
    return null;
  }
}
