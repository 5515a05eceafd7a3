import { createDecipheriv, type DecipherGCM } from 'node:crypto';
import { Readable } from 'node:stream';
import { appError, isAppError, type AppError, type BlobStore, type ContentRef } from '@quarry/core';
import { noteBufferChurn } from '../memory/buffer-churn.js';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES } from './aead.js';
import {
  SEGMENT_OVERHEAD,
  chunkKey,
  encryptedChunkSize,
  legacyChunkKey,
  segmentAad,
  segmentCount,
  segmentOffset,
  segmentPlainLength,
} from './chunk-layout.js';
import type { DataKey } from './data-key.js';

const REASON_INTEGRITY = 'stored content failed its integrity check (corrupt or tampered)';
const REASON_BAD_REF = 'content reference is inconsistent';
const STAT_CONCURRENCY = 16;
/**
 * Largest piece handed to the decipher at once. node:crypto allocates (and copies) its output per
 * call; below glibc's 128 KiB mmap threshold that memory is reused heap, not fresh pages.
 */
const DECIPHER_SLICE_BYTES = 64 * 1024;

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
 * The blob key of each planned read, checking up front that every chunk exists with the size its
 * layout implies, so a missing chunk is a thrown `BLOB_NOT_FOUND` before any byte is sent, not a
 * broken download. A chunk is found under its content-named key; chunks stored before keys named
 * their content are found under their index alone.
 */
export async function locateChunks(blobs: BlobStore, ref: ContentRef, reads: ChunkRead[], segmentSize: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < reads.length; i += STAT_CONCURRENCY) {
    const found = await Promise.all(
      reads.slice(i, i + STAT_CONCURRENCY).map(async (read) => {
        const sha256 = ref.chunkSha256s[read.index];
        let key = sha256 ? chunkKey(ref.uploadId, read.index, sha256) : legacyChunkKey(ref.uploadId, read.index);
        let stat = await blobs.stat(key);
        if (stat === null && sha256) {
          key = legacyChunkKey(ref.uploadId, read.index);
          stat = await blobs.stat(key);
        }
        if (stat === null) throw appError('BLOB_NOT_FOUND', { key });
        if (stat.size !== encryptedChunkSize(read.plainSize, segmentSize)) throw integrityError(ref.uploadId, read.index);
        return key;
      }),
    );
    keys.push(...found);
  }
  return keys;
}

/** Plaintext of the planned reads (`keys`: each read's blob, from {@link locateChunks}), one segment at a time. */
export function decryptReads(blobs: BlobStore, uploadId: string, dataKey: DataKey, reads: ChunkRead[], keys: readonly string[]): Readable {
  return new SegmentDecryptor(blobs, uploadId, dataKey, reads, keys);
}

/**
 * Decrypts each stored piece as it arrives (no copy into a segment buffer) and releases a
 * segment's plaintext only once its tag has verified. The blob stream is consumed with 'data'
 * events and paused for backpressure, so at most about one segment of plaintext is held.
 */
class SegmentDecryptor extends Readable {
  private readonly blobs: BlobStore;
  private readonly uploadId: string;
  private readonly dataKey: DataKey;
  private readonly reads: ChunkRead[];
  private next = 0;
  private current: ChunkRead | null = null;
  private body: Readable | null = null;
  private opening = false;
  /** Segments of the current chunk read: first and last wanted, the one arriving, and its bytes so far. */
  private first = 0;
  private last = 0;
  private segment = 0;
  private segmentTotal = 0;
  private sealedLength = 0;
  private consumed = 0;
  private readonly nonce = Buffer.alloc(GCM_NONCE_BYTES);
  private readonly tag = Buffer.alloc(GCM_TAG_BYTES);
  private decipher: DecipherGCM | null = null;
  private plain: Buffer[] = [];

  private readonly keys: readonly string[];

  constructor(blobs: BlobStore, uploadId: string, dataKey: DataKey, reads: ChunkRead[], keys: readonly string[]) {
    super();
    this.blobs = blobs;
    this.uploadId = uploadId;
    this.dataKey = dataKey;
    this.reads = reads;
    this.keys = keys;
  }

  override _read(): void {
    if (this.body) this.body.resume();
    else if (!this.opening) void this.openNext();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.body?.destroy();
    this.body = null;
    callback(err);
  }

  private async openNext(): Promise<void> {
    const read = this.reads[this.next];
    const key = this.keys[this.next];
    if (read === undefined || key === undefined) {
      this.push(null);
      return;
    }
    this.next += 1;
    const seg = this.dataKey.segmentSize;
    this.opening = true;
    let body: Readable;
    try {
      const first = read.end < 0 ? 0 : Math.floor(read.start / seg);
      const last = read.end < 0 ? 0 : Math.floor(read.end / seg);
      const lastLength = segmentPlainLength(read.plainSize, seg, last) + SEGMENT_OVERHEAD;
      const range = { start: segmentOffset(seg, first), end: segmentOffset(seg, last) + lastLength - 1 };
      body = await this.blobs.get(key, { range }).catch((err: unknown) => {
        throw isAppError(err, 'RANGE_NOT_SATISFIABLE') ? integrityError(this.uploadId, read.index, err) : err;
      });
      this.current = read;
      this.first = first;
      this.last = last;
      this.segment = first;
      this.segmentTotal = segmentCount(read.plainSize, seg);
      this.startSegment();
    } catch (err) {
      this.destroy(err as Error);
      return;
    } finally {
      this.opening = false;
    }
    if (this.destroyed) {
      body.destroy();
      return;
    }
    this.body = body;
    body.on('data', (piece: Buffer) => this.consume(piece));
    body.once('end', () => this.endChunk());
    body.once('error', (err) => this.destroy(err));
  }

  private startSegment(): void {
    const read = this.current!;
    this.sealedLength = segmentPlainLength(read.plainSize, this.dataKey.segmentSize, this.segment) + SEGMENT_OVERHEAD;
    this.consumed = 0;
    this.decipher = null;
    this.plain = [];
  }

  /** Splits a stored piece into nonce, ciphertext and tag bytes of the segments it spans. */
  private consume(piece: Buffer): void {
    // The piece (a blob read) and the plaintext made of it are new buffers.
    noteBufferChurn(2 * piece.length);
    let offset = 0;
    while (offset < piece.length) {
      if (this.segment > this.last) return this.fail();
      const tagAt = this.sealedLength - GCM_TAG_BYTES;
      const take = Math.min(piece.length - offset, this.sealedLength - this.consumed);
      const part = piece.subarray(offset, offset + take);
      offset += take;
      let at = 0;
      if (this.consumed < GCM_NONCE_BYTES) {
        at = part.copy(this.nonce, this.consumed, 0, Math.min(part.length, GCM_NONCE_BYTES - this.consumed));
        this.consumed += at;
        if (this.consumed === GCM_NONCE_BYTES) this.decipher = this.createDecipher();
      }
      while (at < part.length && this.consumed < tagAt) {
        const n = Math.min(part.length - at, tagAt - this.consumed, DECIPHER_SLICE_BYTES);
        const out = this.decipher!.update(part.subarray(at, at + n));
        if (out.length > 0) this.plain.push(out);
        at += n;
        this.consumed += n;
      }
      if (at < part.length) {
        this.consumed += part.copy(this.tag, this.consumed - tagAt, at);
      }
      if (this.consumed === this.sealedLength && !this.finishSegment()) return;
    }
  }

  private createDecipher(): DecipherGCM {
    const read = this.current!;
    const decipher = createDecipheriv('aes-256-gcm', this.dataKey.key, this.nonce);
    decipher.setAAD(segmentAad(this.uploadId, read.index, this.segment, this.segment === this.segmentTotal - 1));
    return decipher;
  }

  /** Verifies the tag and pushes the wanted part of the plaintext; false once the stream failed. */
  private finishSegment(): boolean {
    const read = this.current!;
    const seg = this.dataKey.segmentSize;
    const decipher = this.decipher!;
    try {
      decipher.setAuthTag(this.tag);
      decipher.final();
    } catch {
      this.fail();
      return false;
    }
    const length = this.sealedLength - SEGMENT_OVERHEAD;
    const from = this.segment === this.first ? read.start - this.segment * seg : 0;
    const to = this.segment === this.last ? read.end - this.segment * seg + 1 : length;
    let wantMore = true;
    let position = 0;
    for (const out of this.plain) {
      const a = Math.max(from - position, 0);
      const b = Math.min(to - position, out.length);
      position += out.length;
      if (b > a) wantMore = this.push(a === 0 && b === out.length ? out : out.subarray(a, b));
    }
    this.segment += 1;
    if (this.segment <= this.last) this.startSegment();
    if (!wantMore) this.body?.pause();
    return true;
  }

  private endChunk(): void {
    if (this.destroyed) return;
    if (this.segment <= this.last) return this.fail();
    this.body = null;
    this.current = null;
    // The consumer may already be waiting in _read for more data.
    void this.openNext();
  }

  private fail(): void {
    this.destroy(integrityError(this.uploadId, this.current?.index ?? -1));
  }
}
