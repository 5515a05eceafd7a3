import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { fileFailureFromFs } from './fs-failure.js';
import { WorkerDigester } from './whole-file-hasher.js';

/** Read size of the pre-pass: large reads roughly double throughput over the 64 KiB default (stack.md §7). */
export const PREHASH_READ_BYTES = 1024 * 1024;

/** The pre-pass result: sha256 of everything read and how many bytes that was. */
export interface PrehashResult {
  sha256: string;
  bytes: number;
  /** With `chunkSize`: the sha256 of each chunk of that size, in order. */
  chunkSha256s?: string[];
}

export interface PrehashOptions {
  signal?: AbortSignal;
  /**
   * Also hash each chunk of this size, on a worker thread beside this thread's whole-file hash.
   * The upload pass then sends those hashes instead of computing them again: it is the pass that
   * shares the CPU with the server, while during this one the server waits and a core is free.
   */
  chunkSize?: number;
}

/**
 * Reads the whole file once, from offset 0 to EOF, computing sha256 (cheap with SHA-NI) so the
 * server can skip content it already holds. Two buffers alternate so the next read runs on the
 * libuv pool while this thread hashes the previous one; a buffer is read into again only once
 * the chunk hasher (if any) is done with it.
 */
export async function prehashFile(handle: FileHandle, options: PrehashOptions = {}): Promise<PrehashResult> {
  const { signal, chunkSize } = options;
  const hash = createHash('sha256');
  const chunker = chunkSize ? new WorkerDigester(['sha256']) : null;
  const alloc = () => (chunker ? Buffer.from(new SharedArrayBuffer(PREHASH_READ_BYTES)) : Buffer.allocUnsafe(PREHASH_READ_BYTES));
  const buffers = [alloc(), alloc()];
  /** Per buffer: settles when the chunk hasher has finished with the bytes in it. */
  const released: Array<Promise<void> | undefined> = [undefined, undefined];
  const chunkDigests: Array<Promise<Record<string, string>>> = [];
  let inChunk = 0;
  const readAt = async (turn: number, position: number): Promise<number> => {
    await released[turn];
    try {
      return (await handle.read(buffers[turn]!, 0, PREHASH_READ_BYTES, position)).bytesRead;
    } catch (err) {
      throw fileFailureFromFs(err, 'read');
    }
  };
  /** Feeds `data` to the chunk hasher, closing a chunk at each boundary; resolves when `data` is free. */
  const feedChunks = (data: Buffer): Promise<void> => {
    let last: Promise<void> = Promise.resolve();
    for (let at = 0; at < data.length; ) {
      const take = Math.min(data.length - at, chunkSize! - inChunk);
      last = chunker!.update(data.subarray(at, at + take));
      at += take;
      inChunk += take;
      if (inChunk === chunkSize) {
        chunkDigests.push(chunker!.digest());
        inChunk = 0;
      }
    }
    return last;
  };
  let bytes = 0;
  let turn = 0;
  let pending = readAt(0, 0);
  try {
    for (;;) {
      const n = await pending;
      if (n === 0) break;
      signal?.throwIfAborted();
      const current = buffers[turn]!.subarray(0, n);
      if (chunker) {
        released[turn] = feedChunks(current);
        // Awaited before the buffer is reused; kept from counting as unhandled until then.
        released[turn]!.catch(() => {});
      }
      turn ^= 1;
      pending = readAt(turn, bytes + n);
      hash.update(current);
      bytes += n;
    }
    if (!chunker) return { sha256: hash.digest('hex'), bytes };
    if (inChunk > 0) chunkDigests.push(chunker.digest());
    const chunkSha256s = (await Promise.all(chunkDigests)).map((d) => d.sha256!);
    return { sha256: hash.digest('hex'), bytes, chunkSha256s };
  } finally {
    // Nothing may still write into a buffer, or the worker read one, once this returns or throws.
    await pending.catch(() => 0);
    await Promise.allSettled(released);
    await Promise.allSettled(chunkDigests);
    await chunker?.close();
  }
}
