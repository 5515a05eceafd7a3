import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { DownloadIncompleteError, DownloadIntegrityError, QuarryNetworkError } from './errors.js';
import { isAbort, toApiError } from './http.js';

/** Suffix of the partial file kept next to the target; stable so a later call can resume it. */
export const PARTIAL_SUFFIX = '.quarry-part';

export interface DownloadOptions {
  /** Verified after the last byte; on mismatch the partial file is deleted and the call throws. */
  expectedSha256?: string;
  /** Called as bytes arrive; `total` is null when the server did not say. Counts resumed bytes. */
  onProgress?: (bytes: number, total: number | null) => void;
  signal?: AbortSignal;
  /**
   * Resume the partial file left by an earlier failed call: a byte offset to keep (the partial
   * file is cut to it), or `'auto'` to keep all of it. Omit to start from zero.
   */
  resumeFrom?: number | 'auto';
  fetch?: typeof fetch;
  userAgent?: string;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Bytes taken from an earlier partial file rather than the network. */
  resumedBytes: number;
}

/**
 * Streams `url` into `path` without holding the file in memory: writes to `<path>.quarry-part`,
 * hashes while writing, verifies sha256, then renames into place. Network failures keep the
 * partial file for `resumeFrom`; hash mismatches delete it.
 */
export async function downloadToFile(url: string, path: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const tempPath = path + PARTIAL_SUFFIX;
  const hash = createHash('sha256');
  const offset = await prepareResume(tempPath, options.resumeFrom);
  if (offset > 0) await hashExisting(tempPath, offset, hash);

  const response = await get(url, offset, options);
  if (offset > 0 && !isRangeFrom(response, offset)) {
    // The server ignored or refused the range: start over rather than append the wrong bytes.
    await response.body?.cancel().catch(() => undefined);
    return downloadToFile(url, path, { ...options, resumeFrom: undefined });
  }
  if (!response.ok) throw await toApiError(response);
  const total = totalLength(response, offset);

  let bytes = offset;
  options.onProgress?.(bytes, total);
  if (response.body) {
    const source = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          bytes += chunk.length;
          options.onProgress?.(bytes, total);
          yield chunk;
        }
      },
      createWriteStream(tempPath, { flags: offset > 0 ? 'a' : 'w' }),
      { signal: options.signal },
    ).catch((err: unknown) => {
      // undici reports a connection lost mid-body as TypeError('terminated'); fs errors pass through.
      throw err instanceof TypeError ? new QuarryNetworkError(url, err) : err;
    });
  } else {
    await writeFile(tempPath, '');
  }
  if (total !== null && bytes < total) throw new DownloadIncompleteError(tempPath, bytes, total);

  const sha256 = hash.digest('hex');
  if (options.expectedSha256 && sha256 !== options.expectedSha256.toLowerCase()) {
    await unlink(tempPath).catch(() => undefined);
    throw new DownloadIntegrityError(path, options.expectedSha256, sha256);
  }
  await rename(tempPath, path);
  return { path, bytes, sha256, resumedBytes: offset };
}

async function get(url: string, offset: number, options: DownloadOptions): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.userAgent) headers['user-agent'] = options.userAgent;
  if (offset > 0) headers.range = `bytes=${offset}-`;
  try {
    return await (options.fetch ?? fetch)(url, { headers, signal: options.signal });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new QuarryNetworkError(url, err);
  }
}

/** Bytes to keep from the partial file, cutting it to the requested offset. */
async function prepareResume(tempPath: string, resumeFrom: DownloadOptions['resumeFrom']): Promise<number> {
  if (resumeFrom === undefined || resumeFrom === 0) return 0;
  const size = await stat(tempPath).then(
    (s) => s.size,
    () => 0,
  );
  if (resumeFrom === 'auto') return size;
  if (resumeFrom > size) return 0;
  if (resumeFrom < size) await truncate(tempPath, resumeFrom);
  return resumeFrom;
}

/** The hash must cover the kept prefix too, so read it back once (streamed). */
async function hashExisting(tempPath: string, length: number, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(tempPath, { start: 0, end: length - 1 })) hash.update(chunk as Buffer);
}

function totalLength(response: Response, offset: number): number | null {
  const range = response.headers.get('content-range');
  const m = range ? /\/(\d+)\s*$/.exec(range) : null;
  if (m?.[1]) return Number(m[1]);
  const length = response.headers.get('content-length');
  return length === null ? null : offset + Number(length);
}

function isRangeFrom(response: Response, offset: number): boolean {
  return response.status === 206 && (response.headers.get('content-range') ?? '').startsWith(`bytes ${offset}-`);
}
