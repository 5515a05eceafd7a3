import { join } from 'node:path';
import type { BlobStore } from '@quarry/core';
import { LocalBlobStore } from '@quarry/storage-blob-local';
import type { ServerConfig } from '../config/schema.js';
import { StartRefusedError } from './start-refused-error.js';

/** A blob store and what closing it takes. */
export interface OpenedBlobStore {
  blobs: BlobStore;
  /** `s3` or `local`, for the start-up log. */
  kind: 's3' | 'local';
  close(): Promise<void>;
}

export const BLOB_MESSAGES = {
  badUrl: (reason: string) => `blobUrl: ${reason}`,
  unreachable: (reason: string) => `blobUrl: the S3 bucket cannot be used (${reason}); check the endpoint, region and the AWS_* credentials`,
} as const;

/**
 * S3 when `blobUrl` is set, else `<dataDir>/blobs` on local disk. The S3 adapter (and the AWS
 * SDK behind it) is imported only when configured: a single-node install never loads it.
 * Credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID…, shared config, instance role).
 */
export async function openBlobStore(config: Pick<ServerConfig, 'blobUrl' | 'dataDir'>): Promise<OpenedBlobStore> {
  if (config.blobUrl === '') return { blobs: new LocalBlobStore(join(config.dataDir, 'blobs')), kind: 'local', close: async () => {} };
  const { S3BlobStore, parseS3BlobUrl } = await import('@quarry/storage-blob-s3');
  let store: InstanceType<typeof S3BlobStore>;
  try {
    store = new S3BlobStore(parseS3BlobUrl(config.blobUrl));
  } catch (err) {
    const details = (err as { details?: { reason?: string } }).details;
    throw new StartRefusedError([BLOB_MESSAGES.badUrl(details?.reason ?? (err as Error).message)]);
  }
  try {
    // Cheap when the bucket exists (a HEAD); creates it on a first start against an empty store.
    await store.ensureBucket();
  } catch (err) {
    store.destroy();
    // Not exit code 2: an outage of the store may pass; a supervisor restarting the node is right.
    throw new Error(BLOB_MESSAGES.unreachable((err as Error).message || (err as Error).name), { cause: err });
  }
  return { blobs: store, kind: 's3', close: async () => store.destroy() };
}
