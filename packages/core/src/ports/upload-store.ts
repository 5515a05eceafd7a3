import type { PageRequest } from './page.js';

export const UPLOAD_STATES = ['open', 'completed', 'discarded'] as const;
export type UploadState = (typeof UPLOAD_STATES)[number];

/**
 * A chunked upload of one file op. `sha256` is what the agent declared at begin; null when it
 * began without one (it hashes while uploading and declares the sha256 at complete).
 */
export interface UploadRecord {
  id: string;
  fileOpId: number;
  size: number;
  sha256: string | null;
  mtimeMs: number | null;
  chunkSize: number;
  chunkCount: number;
  wrappedKey: string;
  state: UploadState;
  createdAt: number;
}

export interface UploadChunkRecord {
  uploadId: string;
  idx: number;
  size: number;
  sha256: string;
}

/** Verified, deduplicated file content: which upload's chunks hold the bytes. */
export interface ContentRecord {
  sha256: string;
  md5: string;
  sha1: string;
  size: number;
  uploadId: string;
  wrappedKey: string;
  chunkSize: number;
  chunkCount: number;
  createdAt: number;
}

/**
 * Uploads, their received chunks, and the content they become.
 *
 * @example const inserted = await store.uploads.insertContent(row); // false: someone else stored this sha256 first
 */
export interface UploadStore {
  insert(record: UploadRecord): Promise<void>;
  get(id: string): Promise<UploadRecord | null>;
  /** Conditional on the current state; true when the row matched. */
  setState(id: string, from: UploadState, to: UploadState): Promise<boolean>;
  /** Sets the sha256 of an open upload that has none yet; true when the row matched. */
  declareSha256(id: string, sha256: string): Promise<boolean>;
  listChunks(uploadId: string): Promise<UploadChunkRecord[]>;
  getChunk(uploadId: string, idx: number): Promise<UploadChunkRecord | null>;
  /** Inserts or replaces the chunk record. */
  putChunk(record: UploadChunkRecord): Promise<void>;
  getContent(sha256: string): Promise<ContentRecord | null>;
  /** Whether any content of exactly `size` bytes is held (content of another size cannot be a duplicate). */
  hasContentOfSize(size: number): Promise<boolean>;
  /** False when content with that sha256 already exists (nothing written). */
  insertContent(record: ContentRecord): Promise<boolean>;
  /** Uploads still open that were created before `before` (for garbage collection). */
  listOpenBefore(before: number, page: PageRequest<string>): Promise<UploadRecord[]>;
  /**
   * Open uploads nothing can resume any more: their file op's subtask ended (any terminal state)
   * before `finishedBefore`. Oldest first, at most `limit`.
   */
  listAbandoned(finishedBefore: number, limit: number): Promise<UploadRecord[]>;
}
