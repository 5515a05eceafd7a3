import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { QuarryNetworkError, type QuarryClient } from '@quarry/client';
import type { DownloadFormat, RetrievedFile } from '@quarry/protocol';
import { MSG } from '../messages.js';
import type { RetrievalFailure } from './failures.js';
import type { PlannedDownload } from './plan-downloads.js';
import type { ProgressView } from './progress-view.js';

/** One file saved locally; `verified` means its sha256 was re-computed here and matched. */
export interface SavedFile {
  id: number;
  endpointId: string;
  hostname: string;
  path: string;
  name: string;
  size: number;
  md5: string;
  sha1: string;
  sha256: string;
  savedTo: string;
  format: DownloadFormat;
  verified: boolean;
  password?: string;
}

export interface DownloadOutcome {
  saved: SavedFile[];
  failures: RetrievalFailure[];
}

/** A link may expire or a connection drop; one resumed retry covers the common cases. */
const ATTEMPTS = 2;

/**
 * Creates a link and downloads each planned file in turn. Raw files are verified against the
 * server's sha256; zips cannot be (their bytes are not the file's), so the password is returned.
 */
export async function downloadFiles(
  client: QuarryClient,
  plan: { directory: string | null; downloads: readonly PlannedDownload[] },
  o: { format: DownloadFormat; view: ProgressView; signal?: AbortSignal; onSaved?: (f: SavedFile) => void },
): Promise<DownloadOutcome> {
  if (plan.directory) await mkdir(plan.directory, { recursive: true });
  const outcome: DownloadOutcome = { saved: [], failures: [] };
  for (const { file, target } of plan.downloads) {
    try {
      await mkdir(dirname(target), { recursive: true });
      const saved = await downloadOne(client, file, target, o);
      outcome.saved.push(saved);
      o.onSaved?.(saved);
    } catch (err) {
      if (o.signal?.aborted) throw err;
      outcome.failures.push({
        subtaskId: file.subtaskId,
        fileOpId: file.id,
        endpointId: file.endpointId,
        hostname: file.hostname,
        path: file.path,
        code: err instanceof Error && err.name === 'DownloadIntegrityError' ? 'DOWNLOAD_HASH_MISMATCH' : 'DOWNLOAD_FAILED',
        message: MSG.downloadFailed(err instanceof Error ? err.message : String(err)),
      });
    }
  }
  return outcome;
}

async function downloadOne(
  client: QuarryClient,
  file: RetrievedFile,
  target: string,
  o: { format: DownloadFormat; view: ProgressView; signal?: AbortSignal },
): Promise<SavedFile> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const link = await client.createLink(file.id, { format: o.format }, { signal: o.signal });
    const bar = o.view.download(`${file.hostname}:${file.name}`);
    try {
      await client.downloadToFile(link.url, target, {
        expectedSha256: o.format === 'raw' ? file.sha256 : undefined,
        onProgress: (bytes, total) => bar.update(bytes, total),
        signal: o.signal,
        resumeFrom: attempt > 1 ? 'auto' : undefined,
      });
      return {
        id: file.id,
        endpointId: file.endpointId,
        hostname: file.hostname,
        path: file.path,
        name: file.name,
        size: file.size,
        md5: file.md5,
        sha1: file.sha1,
        sha256: file.sha256,
        savedTo: target,
        format: o.format,
        verified: o.format === 'raw',
        ...(link.password !== undefined ? { password: link.password } : {}),
      };
    } catch (err) {
      lastError = err;
      if (!(err instanceof QuarryNetworkError)) throw err;
    } finally {
      bar.done();
    }
  }
  throw lastError;
}
