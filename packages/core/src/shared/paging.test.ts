import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '../errors/app-error.js';
import { decodeCursor, encodeCursor, toPage } from './paging.js';

describe('cursor paging', () => {
  it('round-trips numeric and string keys', () => {
    assert.equal(decodeCursor(encodeCursor(42), 'number'), 42);
    assert.equal(decodeCursor(encodeCursor('abc'), 'string'), 'abc');
    assert.equal(decodeCursor(undefined, 'number'), undefined);
  });

  it('rejects foreign cursors with VALIDATION_FAILED', () => {
    for (const bad of ['zzz', encodeCursor('abc'), btoa('[1]')]) {
      assert.throws(() => decodeCursor(bad, 'number'), (e) => isAppError(e, 'VALIDATION_FAILED'));
    }
  });

  it('sets nextCursor only when an extra row exists', () => {
    assert.equal(toPage([1, 2], 2, (x) => x, (x) => x).nextCursor, null);
    const page = toPage([1, 2, 3], 2, (x) => x, (x) => x);
    assert.deepEqual(page.items, [1, 2]);
    assert.equal(decodeCursor(page.nextCursor ?? undefined, 'number'), 2);
  });
});
