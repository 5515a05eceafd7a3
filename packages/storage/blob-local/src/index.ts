/** @quarry/storage-blob-local: the BlobStore adapter on a local directory. */
export { LocalBlobStore } from './local-blob-store.js';
