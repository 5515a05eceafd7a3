import { appError } from '@quarry/core';

/**
 * Marks in-flight temp files. Keys may not contain it, so a temp file can never shadow or be
 * listed as a real object.
 */
export const TEMP_MARKER = '.quarry-tmp-';

const REASON_KEY_INVALID = 'blob key must be a relative /-separated path without "..", "\\" or NUL';

/**
 * Rejects keys that could escape the root directory or collide with temp files. Keys are built by
 * our own code, but a traversal bug here would be a file-system write anywhere, so check strictly.
 */
export function assertValidKey(key: string): void {
  if (!isSafePath(key) || key === '' || key.endsWith('/')) {
    throw appError('VALIDATION_FAILED', { reason: REASON_KEY_INVALID, key });
  }
}

/** Like {@link assertValidKey} but allows '' and a trailing '/' (list prefixes). */
export function assertValidPrefix(prefix: string): void {
  if (prefix !== '' && !isSafePath(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)) {
    throw appError('VALIDATION_FAILED', { reason: REASON_KEY_INVALID, prefix });
  }
}

function isSafePath(p: string): boolean {
  if (p.startsWith('/') || p.includes('\\') || p.includes('\0') || p.includes('..')) return false;
  if (p.includes(TEMP_MARKER) || /^[A-Za-z]:/.test(p)) return false;
  return p.split('/').every((segment) => segment !== '' && segment !== '.');
}
