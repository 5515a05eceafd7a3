import type { PageOf } from '@quarry/protocol';
import { appError } from '../errors/catalogue.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;
const CURSOR_VERSION = 'v1';

/** Opaque cursor: base64url of a versioned JSON key, so its format can change without clients noticing. */
export function encodeCursor(key: string | number): string {
  return btoa(JSON.stringify([CURSOR_VERSION, key])).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes a cursor made by `encodeCursor`; a foreign or damaged one is VALIDATION_FAILED. */
export function decodeCursor(cursor: string | undefined, kind: 'number'): number | undefined;
export function decodeCursor(cursor: string | undefined, kind: 'string'): string | undefined;
export function decodeCursor(cursor: string | undefined, kind: 'number' | 'string'): number | string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed[0] === CURSOR_VERSION && typeof parsed[1] === kind) {
      return parsed[1] as number | string;
    }
  } catch {
    // fall through to the validation error
  }
  throw appError('VALIDATION_FAILED', { reason: 'invalid cursor' });
}

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  return Math.max(1, Math.min(MAX_PAGE_LIMIT, Math.floor(limit)));
}

/**
 * Stores are asked for `limit + 1` rows; the extra row only proves there is a next page.
 *
 * @example const rows = await store.tasks.list({}, { limit: limit + 1, after }); return toPage(rows, limit, (r) => r.id, map);
 */
export function toPage<R, T>(rows: R[], limit: number, keyOf: (row: R) => string | number, map: (row: R) => T): PageOf<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
