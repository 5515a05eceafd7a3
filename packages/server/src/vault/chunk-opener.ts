import { createDecipheriv } from 'node:crypto';
import { Readable } from 'node:stream';
import { appError, isAppError, type AppError, type BlobStore, type ContentRef } from '@quarry/core';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES } from './aead.js';
import {
  SEGMENT_OVERHEAD,
  chunkKey,
  encryptedChunkSize,
  segmentAad,
  segmentCount,
  segmentOffset,
  segmentPlainLength,
} from './chunk-layout.js';
import type { DataKey } from './data-key.js';

const REASON_INTEGRITY = 'stored content failed its integrity check (corrupt or tampered)';
const REASON_BAD_REF = 'content reference is inconsistent';
const STAT_CONCURRENCY = 16;

/** The part of one chunk a read needs, in chunk-local plaintext offsets (inclusive; end -1 = empty). */
interface ChunkRead {
  index: number;
  plainSize: number;
  start: number;
  end: number;
}

export function integrityError(uploadId: string, index: number, cause?: unknown): AppError {
  return appError('INTERNAL', { reason: REASON_INTEGRITY, uploadId, index }, { cause });
}

/** Which chunks and chunk-local byte ranges cover `range` of the whole content. */
export function planReads(ref: ContentRef, range?: { start: number; end: number }): ChunkRead[] {
  const { size, chunkSize, chunkCount } = ref;
  const consistent = chunkSize > 0 && (size === 0 ? chunkCount <= 1 : chunkCount === Math.ceil(size / chunkSize));
  if (!consistent) throw appError('INTERNAL', { reason: REASON_BAD_REF, uploadId: ref.uploadId });
  if (range) {
    const { start, end } = range;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= size) {
      throw appError('RANGE_NOT_SATISFIABLE', { start, end, size });
    }
  }
  // Empty content still decrypts its one empty segment, so a tampered or missing blob is noticed.
  if (size === 0) return chunkCount === 0 ? [] : [{ index: 0, plainSize: 0, start: 0, end: -1 }];
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const reads: ChunkRead[] = [];
  for (let index = Math.floor(start / chunkSize); index <= Math.floor(end / chunkSize); index += 1) {
    const base = index * chunkSize;
    const plainSize = Math.min(chunkSize, size - base);
    reads.push({ index, plainSize, start: Math.max(start - base, 0), end: Math.min(end - base, plainSize - 1) });
  }
  return reads;
}

/**
 * Checks up front that every chunk a read needs exists with the size its layout implies, so a
 * missing chunk is a thrown `BLOB_NOT_FOUND` before any byte is sent, not a broken download.
 */
export async function checkChunksPresent(blobs: BlobStore, uploadId: string, reads: ChunkRead[], segmentSize: number): Promise<void> {
  for (let i = 0; i < reads.length; i += STAT_CONCURRENCY) {
    await Promise.all(
      reads.slice(i, i + STAT_CONCURRENCY).map(async (read) => {
        const key = chunkKey(uploadId, read.index);
        const stat = await blobs.stat(key);
        if (stat === null) throw appError('BLOB_NOT_FOUND', { key });
        if (stat.size !== encryptedChunkSize(read.plainSize, segmentSize)) throw integrityError(uploadId, read.index);
      }),
    );
  }
}

/** Plaintext of the planned reads, decrypting and authenticating one segment at a time. */
export function decryptReads(blobs: BlobStore, uploadId: string, dataKey: DataKey, reads: ChunkRead[]): Readable {
  return Readable.from(decryptAll(blobs, uploadId, dataKey, reads), { objectMode: false, highWaterMark: 1 });
}

async function* decryptAll(blobs: BlobStore, uploadId: string, dataKey: DataKey, reads: ChunkRead[]): AsyncGenerator<Buffer> {
  const seg = dataKey.segmentSize;
  for (const read of reads) {
    const first = read.end < 0 ? 0 : Math.floor(read.start / seg);
    const last = read.end < 0 ? 0 : Math.floor(read.end / seg);
    const lastLength = segmentPlainLength(read.plainSize, seg, last) + SEGMENT_OVERHEAD;
    const range = { start: segmentOffset(seg, first), end: segmentOffset(seg, last) + lastLength - 1 };
    const body = await blobs.get(chunkKey(uploadId, read.index), { range }).catch((err: unknown) => {
      throw isAppError(err, 'RANGE_NOT_SATISFIABLE') ? integrityError(uploadId, read.index, err) : err;
    });
    const reader = new ExactReader(body, () => integrityError(uploadId, read.index));
    try {
      const total = segmentCount(read.plainSize, seg);
      for (let s = first; s <= last; s += 1) {
        const length = segmentPlainLength(read.plainSize, seg, s);
        const sealed = await reader.read(length + SEGMENT_OVERHEAD);
        const plain = openSegment(dataKey.key, sealed, segmentAad(uploadId, read.index, s, s === total - 1));
        if (plain === null) throw integrityError(uploadId, read.index);
        const from = s === first ? read.start - s * seg : 0;
        const to = s === last ? read.end - s * seg + 1 : length;
        if (to > from) yield from === 0 && to === plain.length ? plain : plain.subarray(from, to);
      }
    } finally {
      body.destroy();
    }
  }
}

function openSegment(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, GCM_NONCE_BYTES));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
    const plain = decipher.update(sealed.subarray(GCM_NONCE_BYTES, sealed.length - GCM_TAG_BYTES));
    decipher.final();
    return plain;
  } catch {
    return null;
  }
}

/** Reads exact-length records from a byte stream (segments span the store's read chunks). */
class ExactReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);

  constructor(
    stream: Readable,
    private readonly onShort: () => Error,
  ) {
    this.iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async read(length: number): Promise<Buffer> {
    if (this.pending.length >= length) return this.take(length);
    const out = Buffer.allocUnsafe(length);
    let filled = this.pending.copy(out);
    this.pending = Buffer.alloc(0);
    while (filled < length) {
      const next = await this.iterator.next();
      if (next.done) throw this.onShort();
      const piece = next.value;
      const used = piece.copy(out, filled, 0, Math.min(piece.length, length - filled));
      filled += used;
      if (used < piece.length) this.pending = piece.subarray(used);
    }
    return out;
  }

  private take(length: number): Buffer {
    const out = this.pending.subarray(0, length);
    this.pending = this.pending.subarray(length);
    return out;
  }
}
