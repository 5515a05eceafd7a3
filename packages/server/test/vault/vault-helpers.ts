import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChunkVault, ContentRef } from '@quarry/core';
import { chunked } from '@quarry/testing';

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

export const newUploadId = (): string => randomBytes(16).toString('hex');

/** Writes `data` as chunks of `chunkSize` in the given index order (default 0, 1, 2, ...). */
export async function storeContent(vault: ChunkVault, data: Buffer, chunkSize: number, order?: number[]): Promise<ContentRef> {
  const uploadId = newUploadId();
  const wrappedKey = await vault.createDataKey();
  const chunkCount = data.length === 0 ? 1 : Math.ceil(data.length / chunkSize);
  const chunkSha256s: string[] = [];
  for (const index of order ?? Array.from({ length: chunkCount }, (_, i) => i)) {
    const body = data.subarray(index * chunkSize, Math.min(data.length, (index + 1) * chunkSize));
    chunkSha256s[index] = sha256(body);
    await vault.writeChunk({ uploadId, index, wrappedKey, expectedSize: body.length, expectedSha256: sha256(body), body: chunked(body, { pieceSize: 65_521 }) });
  }
  return { uploadId, wrappedKey, size: data.length, chunkSize, chunkCount, chunkSha256s };
}

/** Every regular file under `dir` (relative path -> bytes). */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath ?? entry.path, entry.name);
    out.set(full.slice(dir.length + 1), await readFile(full));
  }
  return out;
}
