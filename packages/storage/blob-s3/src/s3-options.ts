import { S3Client } from '@aws-sdk/client-s3';

/** Where and how an {@link S3BlobStore} stores its objects. */
export interface S3BlobStoreOptions {
  bucket: string;
  /** Key prefix inside the bucket ('' or ending in '/'; a missing '/' is added). */
  prefix?: string;
  region: string;
  /** For S3-compatible servers (Swift, MinIO, Ceph); omit for AWS. */
  endpoint?: string;
  /** Path-style URLs (`host/bucket/key`): what most S3-compatible servers need. */
  forcePathStyle?: boolean;
  /** Omit to use the AWS SDK's default chain (env, shared config, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Multipart part size in bytes; at least 5 MiB (the S3 minimum), default 8 MiB. */
  partSize?: number;
  /** Keys per ListObjectsV2 page (1-1000, default 1000); smaller only to exercise paging in tests. */
  listPageSize?: number;
}

/** S3's smallest allowed part (except the last). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** Matches the server's default upload chunk size, so one agent chunk is one part. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/**
 * The S3 client configured the way every Quarry S3 caller needs it.
 *
 * Checksums only when the API demands them: the SDK's default (CRC32 on every request, validated on
 * every response) uses trailing-checksum chunked encoding that several S3-compatible servers reject
 * or mishandle, and our content is sha256-verified end to end anyway.
 */
export function createS3Client(options: S3BlobStoreOptions): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? false,
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
