/** @quarry/storage-blob-s3: the BlobStore adapter on S3 and S3-compatible servers. */
export { S3BlobStore } from './s3-blob-store.js';
export { parseS3BlobUrl } from './s3-blob-url.js';
export { createS3Client, DEFAULT_PART_SIZE, MIN_PART_SIZE, type S3BlobStoreOptions } from './s3-options.js';
