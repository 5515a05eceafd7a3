import { appError } from '../errors/catalogue.js';

/**
 * Reserved for the local store's in-flight temp files. Every BlobStore rejects keys containing it,
 * so a key one backend accepts is accepted by all and data can move between them unchanged.
 */
export const BLOB_TEMP_MARKER = '.quarry-tmp-';

const REASON_KEY_INVALID = 'blob key must be a relative /-separated path without "..", "\\" or NUL';

/**
 * The key rules every BlobStore enforces. Keys are built by our own code, but on the local store a
 * traversal bug would be a file-system write anywhere, so every adapter checks strictly.
 */
export function assertValidBlobKey(key: string): void {
  if (!isSafePath(key) || key === '' || key.endsWith('/')) {
    throw appError('VALIDATION_FAILED', { reason: REASON_KEY_INVALID, key });
  }
}

/** Like {@link assertValidBlobKey} but allows '' and a trailing '/' (list prefixes, store prefixes). */
export function assertValidBlobPrefix(prefix: string): void {
  if (prefix !== '' && !isSafePath(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)) {
    throw appError('VALIDATION_FAILED', { reason: REASON_KEY_INVALID, prefix });
  }
}

function isSafePath(p: string): boolean {
  if (p.startsWith('/') || p.includes('\\') || p.includes('\0') || p.includes('..')) return false;
  if (p.includes(BLOB_TEMP_MARKER) || /^[A-Za-z]:/.test(p)) return false;
  return p.split('/').every((segment) => segment !== '' && segment !== '.');
}
