import { GCM_NONCE_BYTES, GCM_TAG_BYTES } from './aead.js';

/** Bytes each encrypted segment adds to its plaintext: [nonce][ciphertext][tag]. */
export const SEGMENT_OVERHEAD = GCM_NONCE_BYTES + GCM_TAG_BYTES;

const AAD_LABEL = 'quarry/v1/chunk-segment';

/**
 * Blob key of one encrypted chunk: its index (zero-padded, so a listing sorts in chunk order)
 * and the sha256 of its plaintext. Naming the blob after its content means a write to the same
 * index with other bytes lands beside it instead of over it: what a content reference points at
 * cannot change after it was verified.
 */
export function chunkKey(uploadId: string, index: number, sha256: string): string {
  return `${legacyChunkKey(uploadId, index)}-${sha256.toLowerCase()}`;
}

/** Key of a chunk stored before keys named the content (read-only: nothing is written there any more). */
export function legacyChunkKey(uploadId: string, index: number): string {
  return `${uploadPrefix(uploadId)}${String(index).padStart(8, '0')}`;
}

export function uploadPrefix(uploadId: string): string {
  return `uploads/${uploadId}/`;
}

/** A 0-byte chunk still holds one (empty) segment, so its absence or truncation is detectable. */
export function segmentCount(plainSize: number, segmentSize: number): number {
  return Math.max(1, Math.ceil(plainSize / segmentSize));
}

export function segmentPlainLength(plainSize: number, segmentSize: number, segment: number): number {
  return Math.min(segmentSize, plainSize - segment * segmentSize);
}

export function encryptedChunkSize(plainSize: number, segmentSize: number): number {
  return plainSize + segmentCount(plainSize, segmentSize) * SEGMENT_OVERHEAD;
}

/** Offset of segment `segment` inside its encrypted chunk blob. */
export function segmentOffset(segmentSize: number, segment: number): number {
  return segment * (segmentSize + SEGMENT_OVERHEAD);
}

/**
 * Additional data authenticated with each segment. Binding the upload, chunk and segment
 * positions detects swapped or reordered blobs and segments; the last flag detects a chunk cut
 * short at a segment boundary.
 */
export function segmentAad(uploadId: string, chunk: number, segment: number, isLast: boolean): Buffer {
  const label = `${AAD_LABEL}\0${uploadId}\0`;
  const aad = Buffer.alloc(Buffer.byteLength(label) + 13);
  const at = aad.write(label, 0, 'utf8');
  aad.writeUInt32BE(Math.floor(chunk / 2 ** 32), at);
  aad.writeUInt32BE(chunk % 2 ** 32, at + 4);
  aad.writeUInt32BE(segment, at + 8);
  aad.writeUInt8(isLast ? 1 : 0, at + 12);
  return aad;
}
