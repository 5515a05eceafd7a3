import type { FileOpPatch } from '../ports/file-op-store.js';
import type { ContentRecord } from '../ports/upload-store.js';

/** The file op patch that marks it retrieved as `content` (stored now, or already held). */
export function succeededWithContent(content: ContentRecord, mtimeMs: number | null | undefined, now: number): FileOpPatch {
  return {
    state: 'succeeded',
    size: content.size,
    mtime: mtimeMs === null || mtimeMs === undefined ? null : Math.trunc(mtimeMs),
    bytesDone: content.size,
    md5: content.md5,
    sha1: content.sha1,
    sha256: content.sha256,
    contentSha256: content.sha256,
    uploadId: null,
    retrievedAt: now,
    failureCode: null,
    failureMessage: null,
  };
}
