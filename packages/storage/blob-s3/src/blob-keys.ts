import { appError } from '@quarry/core';

/**
 * Reserved by the local store for its temp files. Rejected here too so that every key one
 * BlobStore accepts is accepted by the other, and data can move between them unchanged.
 */
const RESERVED_MARKER = '.quarry-tmp-';

const REASON_KEY_INVALID = 'blob key must be a relative /-separated path without "..", "\\" or NUL';

/**
 * The local store's key rules. S3 itself would accept almost anything, but keys are built by our
 * own code and a key that is valid on one backend and not on another would break a migration.
 */
export function assertValidKey(key: string): void {
  if (!isSafePath(key) || key === '' || key.endsWith('/')) {
    throw appError('VALIDATION_FAILED', { reason: REASON_KEY_INVALID, key });
  }
}

/** Like {@link assertValidKey} but allows '' and a trailing '/' (list prefixes, store prefixes). */
export function assertValidPrefix(prefix: string): void {
  if (prefix !== '' && !isSafePath(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)) {
    throw appError('VALIDATION_FAILED', { reason: REASON_KEY_INVALID, prefix });
  }
}

function isSafePath(p: string): boolean {
  if (p.startsWith('/') || p.includes('\\') || p.includes('\0') || p.includes('..')) return false;
  if (p.includes(RESERVED_MARKER) || /^[A-Za-z]:/.test(p)) return false;
  return p.split('/').every((segment) => segment !== '' && segment !== '.');
}
