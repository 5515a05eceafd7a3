import type { RetrievedFile } from '@quarry/protocol';
import type { RetrievedFileRecord } from '../ports/file-op-store.js';
import type { ContentRecord, UploadChunkRecord } from '../ports/upload-store.js';
import type { ContentRef } from '../ports/chunk-vault.js';
import { iso, isoOrNull } from '../shared/time.js';

/** Last component of a POSIX or Windows path: the name downloads get. */
export function fileNameOf(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? 'file';
}

export function toRetrievedFile(r: RetrievedFileRecord): RetrievedFile {
  return {
    id: r.id,
    taskId: r.taskId,
    subtaskId: r.subtaskId,
    endpointId: r.endpointId,
    hostname: r.hostname,
    path: r.path,
    name: fileNameOf(r.path),
    size: r.size ?? 0,
    mtime: isoOrNull(r.mtime),
    md5: r.md5 ?? '',
    sha1: r.sha1 ?? '',
    sha256: r.sha256 ?? '',
    retrievedAt: iso(r.retrievedAt ?? 0),
  };
}

/**
 * `chunks`: the upload's chunk records (any order); each index's sha256 names its blob. Content
 * sent whole (PUT content) has no chunk records: its one chunk is the file, so its sha256 is the
 * content's (one insert fewer per small file, which fleets send by the thousand).
 */
export function toContentRef(c: ContentRecord, chunks: readonly UploadChunkRecord[]): ContentRef {
  const chunkSha256s = chunks.length === 0 && c.chunkCount === 1 ? [c.sha256] : chunkSha256sOf(chunks);
  return { uploadId: c.uploadId, wrappedKey: c.wrappedKey, size: c.size, chunkSize: c.chunkSize, chunkCount: c.chunkCount, chunkSha256s };
}

/** Each chunk's sha256 at its index. */
export function chunkSha256sOf(chunks: readonly UploadChunkRecord[]): string[] {
  const out: string[] = [];
  for (const chunk of chunks) out[chunk.idx] = chunk.sha256;
  return out;
}
