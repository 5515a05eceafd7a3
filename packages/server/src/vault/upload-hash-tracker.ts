import { createHash, type Hash } from 'node:crypto';

/** Bounds memory: each entry is one sha256 state plus a sha per chunk seen. */
const DEFAULT_MAX_UPLOADS = 4096;

interface Entry {
  hash: Hash;
  next: number;
  bytes: number;
  chunkSha256: string[];
  busy: boolean;
}

/**
 * Whole-file sha256 kept while an upload's chunks arrive in order 0, 1, 2, ..., so completing an
 * upload need not decrypt and re-read it. Anything unusual (a gap, a failed write, a rewrite with
 * different content, eviction, another node or a restart) just drops the entry and the vault
 * recomputes from storage. Assumes a chunk's content, once written, is only rewritten with the
 * same bytes; a rewrite with another sha drops the entry.
 */
export class UploadHashTracker {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxUploads = DEFAULT_MAX_UPLOADS) {}

  /** The hash to feed this chunk's plaintext into, or undefined when the chunk is not next in line. */
  claim(uploadId: string, index: number, sha256: string): Hash | undefined {
    let entry = this.entries.get(uploadId);
    if (entry && index < entry.next && entry.chunkSha256[index] !== sha256) {
      this.entries.delete(uploadId);
      return undefined;
    }
    if (!entry && index === 0) {
      if (this.entries.size >= this.maxUploads) this.evictOldest();
      entry = { hash: createHash('sha256'), next: 0, bytes: 0, chunkSha256: [], busy: false };
      this.entries.set(uploadId, entry);
    }
    if (!entry || entry.busy || entry.next !== index) return undefined;
    entry.busy = true;
    return entry.hash;
  }

  /** The claimed chunk was stored. */
  commit(uploadId: string, sha256: string, size: number): void {
    const entry = this.entries.get(uploadId);
    if (!entry) return;
    entry.busy = false;
    entry.next += 1;
    entry.bytes += size;
    entry.chunkSha256.push(sha256);
  }

  /** The claimed chunk failed part-way: the hash has absorbed bytes that are not stored. */
  abandon(uploadId: string): void {
    this.entries.delete(uploadId);
  }

  /**
   * The whole-file digest if every chunk went through in order and they are the chunks named by
   * `chunkSha256s` (what is being verified); consumes the entry.
   */
  take(uploadId: string, chunkSha256s: readonly string[], size: number): string | undefined {
    const entry = this.entries.get(uploadId);
    if (!entry || entry.busy) return undefined;
    this.entries.delete(uploadId);
    const same = entry.next === chunkSha256s.length && entry.chunkSha256.every((sha, i) => sha === chunkSha256s[i]?.toLowerCase());
    return same && entry.bytes === size ? entry.hash.digest('hex') : undefined;
  }

  forget(uploadId: string): void {
    this.entries.delete(uploadId);
  }

  get size(): number {
    return this.entries.size;
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
