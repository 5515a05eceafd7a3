import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { appError, type AppError, type BlobStore, type ChunkVault, type ContentRef } from '@quarry/core';
import { decryptReads, locateChunks, planReads } from './chunk-opener.js';
import { chunkKey, encryptedChunkSize, uploadPrefix } from './chunk-layout.js';
import { ChunkSealer } from './chunk-sealer.js';
import { unwrapDataKey, wrapDataKey } from './data-key.js';
import { deriveSubkey } from './key-derivation.js';
import { UploadHashTracker } from './upload-hash-tracker.js';

/** 1 MiB segments: small enough to buffer for authentication, large enough to keep overhead at 28 B/MiB. */
export const DEFAULT_SEGMENT_SIZE = 1024 * 1024;
const MAX_SEGMENT_SIZE = 64 * 1024 * 1024;
const UPLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const SHA256_PATTERN = /^[0-9a-fA-F]{64}$/;

export interface ChunkVaultOptions {
  blobs: BlobStore;
  masterKey: Buffer;
  /** Plaintext bytes per encrypted segment for new uploads (recorded in each wrapped key). */
  segmentSize?: number;
  /** Cap on uploads whose running sha256 is kept in memory. */
  maxTrackedUploads?: number;
}

/**
 * {@link ChunkVault} over any BlobStore: each chunk is one blob of AES-256-GCM segments under a
 * per-upload data key wrapped by an HKDF subkey of the master key. No plaintext reaches the store.
 *
 * @example const vault = createChunkVault({ blobs: new LocalBlobStore(dir), masterKey });
 */
export function createChunkVault(options: ChunkVaultOptions): ChunkVault {
  const { blobs } = options;
  const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
  if (!Number.isSafeInteger(segmentSize) || segmentSize < 1 || segmentSize > MAX_SEGMENT_SIZE) {
    throw new Error(`segmentSize must be an integer in 1..${MAX_SEGMENT_SIZE}`);
  }
  const wrappingKey = deriveSubkey(options.masterKey, 'keyWrapping');
  const tracker = new UploadHashTracker(options.maxTrackedUploads);

  return {
    async createDataKey() {
      return wrapDataKey(wrappingKey, segmentSize);
    },

    async writeChunk(input) {
      const { uploadId, index, expectedSize, body } = input;
      assertUploadId(uploadId);
      if (!Number.isSafeInteger(index) || index < 0 || !Number.isSafeInteger(expectedSize) || expectedSize < 0) {
        throw appError('VALIDATION_FAILED', { reason: 'chunk index and size must be non-negative integers', index, expectedSize });
      }
      if (!SHA256_PATTERN.test(input.expectedSha256)) {
        throw appError('VALIDATION_FAILED', { reason: 'chunk sha256 must be 64 hex digits' });
      }
      const expectedSha256 = input.expectedSha256.toLowerCase();
      const dataKey = unwrapDataKey(wrappingKey, input.wrappedKey);
      const observer = tracker.claim(uploadId, index, expectedSha256);
      const sealer = new ChunkSealer({ uploadId, index, dataKey, expectedSize, expectedSha256, observer });
      let sealerError: AppError | Error | undefined;
      sealer.once('error', (err) => (sealerError ??= err));
      // Manual pipe rather than pipeline(): on a mismatch the HTTP request body must stay alive
      // so the server can still send its error response.
      body.once('error', (err) => sealer.destroy(err));
      body.pipe(sealer);
      try {
        await blobs.put(chunkKey(uploadId, index, expectedSha256), sealer, { size: encryptedChunkSize(expectedSize, dataKey.segmentSize) });
      } catch (err) {
        body.unpipe(sealer);
        if (observer) tracker.abandon(uploadId);
        throw sealerError ?? err;
      }
      if (observer) tracker.commit(uploadId, expectedSha256, expectedSize);
    },

    async computeSha256(ref) {
      assertUploadId(ref.uploadId);
      const kept = tracker.take(ref.uploadId, ref.chunkSha256s, ref.size);
      if (kept !== undefined && ref.chunkSha256s.length === ref.chunkCount) return kept;
      const hash = createHash('sha256');
      const plain = await openContent(ref);
      for await (const piece of plain) hash.update(piece as Buffer);
      return hash.digest('hex');
    },

    open: (ref, range) => openContent(ref, range),

    async discard(uploadId) {
      assertUploadId(uploadId);
      tracker.forget(uploadId);
      // Every version of every chunk, and chunks past the plan's count (a changed plan).
      const keys: string[] = [];
      for await (const entry of blobs.list(uploadPrefix(uploadId))) keys.push(entry.key);
      for (const key of keys) await blobs.delete(key);
    },

    async discardChunk(uploadId, index, sha256) {
      assertUploadId(uploadId);
      if (!Number.isSafeInteger(index) || index < 0 || !SHA256_PATTERN.test(sha256)) {
        throw appError('VALIDATION_FAILED', { reason: 'chunk index must be a non-negative integer and sha256 64 hex digits', index });
      }
      await blobs.delete(chunkKey(uploadId, index, sha256));
    },
  };

  async function openContent(ref: ContentRef, range?: { start: number; end: number }): Promise<Readable> {
    assertUploadId(ref.uploadId);
    const dataKey = unwrapDataKey(wrappingKey, ref.wrappedKey);
    const reads = planReads(ref, range);
    const keys = await locateChunks(blobs, ref, reads, dataKey.segmentSize);
    return decryptReads(blobs, ref.uploadId, dataKey, reads, keys);
  }
}

function assertUploadId(uploadId: string): void {
  if (!UPLOAD_ID_PATTERN.test(uploadId)) {
    throw appError('VALIDATION_FAILED', { reason: 'upload id must be 1-64 characters of [A-Za-z0-9_-]' });
  }
}
