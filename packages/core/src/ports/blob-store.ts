// Type-only import: a Node stream is the unit of data exchange with adapters; core never creates one.
import type { Readable } from 'node:stream';

export interface BlobStat {
  size: number;
}

/**
 * Stream-first object storage. Keys are `/`-separated relative names. `put` replaces an existing
 * key atomically (readers see the old or the new object, never a mix). A missing key is
 * `BLOB_NOT_FOUND` from `get`, `null` from `stat`, and a no-op for `delete`.
 *
 * @example await store.put('uploads/ab/0000', Readable.from([bytes])); const r = await store.get('uploads/ab/0000', { range: { start: 0, end: 9 } });
 */
export interface BlobStore {
  put(key: string, body: Readable, options?: { size?: number }): Promise<BlobStat>;
  /** `range` is inclusive at both ends, as in HTTP. */
  get(key: string, options?: { range?: { start: number; end: number } }): Promise<Readable>;
  stat(key: string): Promise<BlobStat | null>;
  delete(key: string): Promise<void>;
  list(prefix: string): AsyncIterable<{ key: string; size: number }>;
}
