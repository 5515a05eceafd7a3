/**
 * glibc's malloc settings for a server that moves files.
 *
 * A transfer allocates a fresh buffer for nearly every 64 KiB it moves: socket reads, file reads
 * and every node:crypto output. V8 frees those buffers in batches, at each garbage collection.
 * glibc gives the free top of its heap back to the kernel as soon as it is larger than the trim
 * threshold, 128 KiB by default. So the heap shrank and grew again many times per second, and
 * every regrown page was a page fault: 107-190k per GiB uploaded, in `npm run bench:transfer`.
 *
 * glibc raises its thresholds by itself when it frees a block it had mmap'ed (mallopt(3), "dynamic
 * mmap threshold"). The mmap threshold rises to that block's size, and the trim threshold to twice
 * that. Freeing one 8 MiB buffer therefore raises them to 8 and 16 MiB. The buffer is never
 * written, so it is never resident; the next collection of the young generation frees it.
 * Trimming then happens about once per collection instead of once per freed buffer.
 *
 * Measured with the benchmark's 1 GiB upload: 7-8k page faults instead of 107-190k. With 8 MiB
 * (trim threshold 16 MiB) and more, a churn of 64 KiB node:crypto outputs faulted ~9k pages per
 * GiB; with 4 MiB and less, ~40k, as without. With the young-generation collections every 16 MiB
 * that transfers make, it is 5-6k against 37-38k (test/memory/malloc-thresholds.test.ts). 16 MiB
 * did no better in the benchmark, and a larger trim threshold keeps more free memory: the
 * smallest size that works is used.
 *
 * It is done when the first transfer starts (buffer-churn.ts), not at start-up: what start-up
 * frees is then still given back, and an idle server that never moved a file stays at its
 * ~92 MiB (doing it at start-up kept ~8 MiB more). Setting the thresholds through the environment
 * (MALLOC_TRIM_THRESHOLD_, GLIBC_TUNABLES) would need the process to re-execute itself, because
 * glibc reads them only at start-up. Settings given that way win: glibc turns the dynamic
 * threshold off when any of them is set. Elsewhere (musl, macOS, Windows) this is only a
 * short-lived 8 MiB reservation.
 */

/** The size of the freed block, and so glibc's mmap threshold afterwards (its trim threshold is twice this). */
export const MALLOC_PRIMER_BYTES = 8 * 1024 * 1024;

/** Allocates and drops a buffer larger than glibc's mmap threshold, so that freeing it raises both thresholds. */
export function raiseMallocThresholds(bytes = MALLOC_PRIMER_BYTES): void {
  // allocUnsafeSlow: not zero-filled, so its pages are never touched; not pooled, so it is its own allocation.
  Buffer.allocUnsafeSlow(bytes);
}
