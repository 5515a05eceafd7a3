import type { FileHandle } from 'node:fs/promises';
import { INLINE_CONTENT_MAX_BYTES } from '@quarry/protocol';
import { FileFailure, fileFailureFromFs } from './fs-failure.js';
import { detectChange } from './upload-pass.js';
import { createWholeFileHasher } from './whole-file-hasher.js';

/** A small file read whole, with its hashes. */
export interface SmallFile {
  data: Buffer;
  md5: string;
  sha1: string;
  sha256: string;
  mtimeMs: number;
}

/**
 * Reads a file of at most INLINE_CONTENT_MAX_BYTES in one buffer (bounded, so holding it is no
 * more than one chunk would be) and hashes it. Change detection matches the chunked path: the size
 * and modification time must be what they were when the file was opened, and nothing may follow
 * the last byte. One read of the bytes serves both the hashes and the upload, so there is no
 * second pass to compare.
 */
export async function readSmallFile(handle: FileHandle, opened: { size: number; mtimeMs: number }): Promise<SmallFile> {
  if (opened.size > INLINE_CONTENT_MAX_BYTES) throw new RangeError(`readSmallFile: ${opened.size} bytes is over the inline limit`);
  // One spare byte shows a file that grew since it was opened.
  const buf = Buffer.allocUnsafe(opened.size + 1);
  let filled = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled === buf.length) break;
    }
  } catch (err) {
    throw fileFailureFromFs(err, 'read');
  }
  let after;
  try {
    after = await handle.stat();
  } catch (err) {
    throw fileFailureFromFs(err, 'stat');
  }
  const data = buf.subarray(0, Math.min(filled, opened.size));
  const hasher = createWholeFileHasher(false);
  await hasher.update(data);
  const digests = await hasher.digest();
  // One read, so the content has nothing to be compared with: size, time and growth tell.
  const change = detectChange(
    { size: opened.size, mtimeMs: opened.mtimeMs, sha256: digests.sha256 },
    { size: after.size, mtimeMs: after.mtimeMs, sha256: digests.sha256, grew: filled > opened.size },
  );
  if (change) throw new FileFailure('CHANGED_WHILE_READING', change);
  if (filled < opened.size) throw new FileFailure('CHANGED_WHILE_READING', `file size changed from ${opened.size} to ${filled} bytes while reading`);
  return { data, ...digests, mtimeMs: after.mtimeMs };
}
