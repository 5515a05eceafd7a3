// Type-only import: streams are how bytes cross the port; core never creates one.
import type { Readable } from 'node:stream';

/** Where and how one file's content is kept: encrypted chunks under its upload's prefix. */
export interface ContentRef {
  uploadId: string;
  /** The per-upload data key, wrapped by the master key; opaque to core. */
  wrappedKey: string;
  size: number;
  chunkSize: number;
  chunkCount: number;
  /**
   * The sha256 of each chunk, by index, as recorded when it was stored. A chunk's blob is named
   * after its hash, so bytes written to an index later (a rewrite, a late or hostile PUT) can
   * never replace the bytes this reference stands for.
   */
  chunkSha256s: readonly string[];
}

/**
 * Encrypted chunk storage over a BlobStore (the server implements it: AES-256-GCM in fixed
 * segments, per-upload data key wrapped by the master key). No plaintext reaches the blob store.
 *
 * @example
 * const wrappedKey = await vault.createDataKey();
 * await vault.writeChunk({ uploadId, index: 0, wrappedKey, expectedSize: 5, expectedSha256, body });
 * const sha = await vault.computeSha256(ref); const plain = await vault.open(ref);
 */
export interface ChunkVault {
  createDataKey(): Promise<string>;
  /**
   * Streams `body` into storage while hashing it. Throws `CHUNK_SIZE_MISMATCH` when the body is
   * longer or shorter than `expectedSize` and `CHUNK_HASH_MISMATCH` when its sha256 differs; in
   * both cases nothing is stored and an earlier good copy of the chunk stays as it was.
   */
  writeChunk(input: {
    uploadId: string;
    index: number;
    wrappedKey: string;
    expectedSize: number;
    expectedSha256: string;
    body: Readable;
  }): Promise<void>;
  /** sha256 of the whole plaintext, from stored chunks (or a hash kept while chunks arrived in order). */
  computeSha256(ref: ContentRef): Promise<string>;
  /** Plaintext stream; `range` is inclusive at both ends. Throws `BLOB_NOT_FOUND` if a chunk is missing. */
  open(ref: ContentRef, range?: { start: number; end: number }): Promise<Readable>;
  /** Deletes every stored chunk of an upload, every version (abandoned uploads, duplicates of content already held). */
  discard(uploadId: string): Promise<void>;
  /** Deletes one stored version of a chunk (one replaced by a rewrite, or written too late to count). */
  discardChunk(uploadId: string, index: number, sha256: string): Promise<void>;
}
