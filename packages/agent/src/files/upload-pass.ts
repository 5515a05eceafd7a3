import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { FileFailure, fileFailureFromFs } from './fs-failure.js';
import { allocHashBuffer, createWholeFileHasher } from './whole-file-hasher.js';

/** Files from this size on are hashed on a worker thread; below it the worker's start-up is not worth it. */
export const OFF_THREAD_HASH_MIN_BYTES = 32 * 1024 * 1024;

/** One chunk as read from disk. `data` is a view of a pooled buffer: valid until `send` settles. */
export interface Chunk {
  index: number;
  data: Buffer;
  sha256: string;
}

/** Sends one chunk; may call `reread` to fetch the same bytes from disk again (hash-mismatch retry). */
export type SendChunk = (chunk: Chunk, reread: () => Promise<Chunk>) => Promise<void>;

/** What the upload pass needs to know. */
export interface UploadPassOptions {
  handle: FileHandle;
  /** Size from the pre-pass; chunk boundaries are computed from it. */
  size: number;
  chunkSize: number;
  chunkCount: number;
  /** Indexes the server already holds: hashed (for the whole-file hashes) but not sent. */
  receivedChunks: readonly number[];
  send: SendChunk;
  signal?: AbortSignal;
  /** Overrides {@link OFF_THREAD_HASH_MIN_BYTES} (tests). */
  offThreadMinBytes?: number;
  /**
   * What the pre-pass computed, its chunk hashes with this chunk size. Each chunk is sent with its
   * pre-pass hash instead of hashing it again, and the whole-file sha256 is not computed again:
   * the server checks every chunk against its hash, so bytes that changed since the pre-pass are
   * refused (the re-read for the retry hashes afresh and tells a change from a transfer error),
   * and whatever it accepts is what the pre-pass hashed. Chunks the server already holds are
   * hashed here and compared instead. On the worker that leaves md5 and sha1, which is what
   * limits this pass.
   */
  known?: { sha256: string; chunkSha256s: readonly string[] };
}

/** Whole-file hashes of the upload pass plus a post-read snapshot for change detection. */
export interface UploadPassResult {
  md5: string;
  sha1: string;
  sha256: string;
  chunksSent: number;
  bytesSent: number;
  /** Size and mtime from fstat after the last read. */
  sizeAfter: number;
  mtimeMsAfter: number;
  /** True when there were bytes beyond `size` at the end of the pass (the file grew). */
  grew: boolean;
}

export const UPLOAD_MESSAGES = {
  shrank: 'file became shorter while it was being read',
  plan: (count: number, expected: number) => `server chunk plan (${count} chunks) does not match the file size (${expected} chunks)`,
  heldChunkChanged: (index: number) => `chunk ${index} (already on the server) read differently than in the first pass (file changed while reading)`,
} as const;

/** Number of chunks a file of `size` bytes takes; an empty file still has one (empty) chunk. */
export function expectedChunkCount(size: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(size / chunkSize));
}

/**
 * Reads the file sequentially in chunk-size pieces, computing md5+sha1+sha256 of the whole file
 * (on a worker thread for large files) and sha256 of each chunk, and hands missing chunks to
 * `send`. Reading chunk n+1 overlaps the upload of chunk n; with at most one send in flight and a
 * buffer reused only once the whole-file hasher is done with it, two pooled buffers suffice, so
 * memory stays at about two chunks whatever the file size.
 */
export async function runUploadPass(options: UploadPassOptions): Promise<UploadPassResult> {
  const { handle, size, chunkSize, chunkCount, signal } = options;
  const expected = expectedChunkCount(size, chunkSize);
  // An empty file may be planned as zero chunks or as one empty chunk; accept both.
  if (chunkCount !== expected && !(size === 0 && chunkCount === 0)) {
    throw new FileFailure('IO_ERROR', UPLOAD_MESSAGES.plan(chunkCount, expected));
  }
  const received = new Set(options.receivedChunks);
  const offThread = size >= (options.offThreadMinBytes ?? OFF_THREAD_HASH_MIN_BYTES);
  const bufBytes = Math.max(1, Math.min(chunkSize, size));
  const pool = [allocHashBuffer(bufBytes, offThread), chunkCount > 1 ? allocHashBuffer(bufBytes, offThread) : undefined];
  const known = options.known?.chunkSha256s.length === chunkCount ? options.known : undefined;
  const whole = createWholeFileHasher(offThread, known?.sha256);
  /** Per pool slot: settles when the whole-file hasher has finished with the bytes in it. */
  const hashed: Array<Promise<void> | undefined> = [undefined, undefined];
  let inFlight: Promise<void> | undefined;
  let chunksSent = 0;
  let bytesSent = 0;
  const readChunk = async (index: number, buf: Buffer, fresh = false): Promise<Chunk> => {
    const position = index * chunkSize;
    const length = Math.max(0, Math.min(chunkSize, size - position));
    const data = await readFully(handle, buf.subarray(0, length), position);
    const sha256 = (!fresh && known?.chunkSha256s[index]) || createHash('sha256').update(data).digest('hex');
    return { index, data, sha256 };
  };
  let digests;
  try {
    for (let index = 0; index < chunkCount; index += 1) {
      signal?.throwIfAborted();
      const slot = index % 2;
      const buf = pool[slot]!;
      await hashed[slot];
      const chunk = await readChunk(index, buf);
      const chunkHashed = whole.update(chunk.data);
      // Awaited before the slot is reused; kept from counting as unhandled until then.
      chunkHashed.catch(() => {});
      hashed[slot] = chunkHashed;
      if (inFlight) await inFlight;
      inFlight = undefined;
      if (received.has(index)) {
        // Not sent, so the server will not check it: compare it with the pre-pass here.
        if (known && createHash('sha256').update(chunk.data).digest('hex') !== known.chunkSha256s[index]) {
          throw new FileFailure('CHANGED_WHILE_READING', UPLOAD_MESSAGES.heldChunkChanged(index));
        }
        continue;
      }
      // A re-read overwrites the buffer, so it waits until the hasher has taken the first read.
      inFlight = options.send(chunk, async () => {
        await chunkHashed;
        return readChunk(index, buf, true);
      });
      // Keep a rejection from being reported as unhandled while the next chunk is being read.
      inFlight.catch(() => {});
      chunksSent += 1;
      bytesSent += chunk.data.length;
    }
    if (inFlight) await inFlight;
    await Promise.all(hashed);
    digests = await whole.digest();
  } finally {
    if (inFlight) await inFlight.catch(() => {});
    await Promise.allSettled(hashed);
    await whole.close();
  }
  const grew = (await readFully(handle, Buffer.allocUnsafe(1), size, true)).length > 0;
  let after;
  try {
    after = await handle.stat();
  } catch (err) {
    throw fileFailureFromFs(err, 'stat');
  }
  return {
    ...digests,
    chunksSent,
    bytesSent,
    sizeAfter: after.size,
    mtimeMsAfter: after.mtimeMs,
    grew,
  };
}

/** Fills `target` from `position`; a short file is CHANGED_WHILE_READING unless `allowShort`. */
async function readFully(handle: FileHandle, target: Buffer, position: number, allowShort = false): Promise<Buffer> {
  let filled = 0;
  while (filled < target.length) {
    let n: number;
    try {
      ({ bytesRead: n } = await handle.read(target, filled, target.length - filled, position + filled));
    } catch (err) {
      throw fileFailureFromFs(err, 'read');
    }
    if (n === 0) {
      if (allowShort) break;
      throw new FileFailure('CHANGED_WHILE_READING', UPLOAD_MESSAGES.shrank);
    }
    filled += n;
  }
  return target.subarray(0, filled);
}

/**
 * Snapshot of a file used to detect change between opening it (or its pre-pass) and the end of
 * the upload pass. `sha256` only when there was a pre-pass to compare the upload pass with.
 */
export interface FileSnapshot {
  size: number;
  mtimeMs: number;
  sha256?: string;
}

/** Why the file changed between the two passes, or undefined if it did not. */
export function detectChange(before: FileSnapshot, after: FileSnapshot & { grew?: boolean }): string | undefined {
  if (after.grew || before.size !== after.size) return `file size changed from ${before.size} to ${after.size} bytes while reading`;
  if (before.mtimeMs !== after.mtimeMs) return 'file modification time changed while reading';
  if (before.sha256 !== undefined && before.sha256 !== after.sha256) return 'file content changed while reading (sha256 differs between passes)';
  return undefined;
}
