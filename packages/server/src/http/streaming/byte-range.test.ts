import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseByteRange } from './byte-range.js';

describe('parseByteRange', () => {
  it('returns null without a usable header', () => {
    assert.equal(parseByteRange(undefined, 10), null);
    assert.equal(parseByteRange('items=0-1', 10), null);
    assert.equal(parseByteRange('bytes=0-1,3-4', 10), null);
    assert.equal(parseByteRange('bytes=-', 10), null);
    assert.equal(parseByteRange('bytes=5-2', 10), null);
  });

  it('parses closed, open and suffix ranges, clamped to the size', () => {
    assert.deepEqual(parseByteRange('bytes=0-3', 10), { start: 0, end: 3 });
    assert.deepEqual(parseByteRange('bytes=4-', 10), { start: 4, end: 9 });
    assert.deepEqual(parseByteRange('bytes=5-999', 10), { start: 5, end: 9 });
    assert.deepEqual(parseByteRange('bytes=-3', 10), { start: 7, end: 9 });
    assert.deepEqual(parseByteRange('bytes=-30', 10), { start: 0, end: 9 });
  });

  it('reports ranges past the end as unsatisfiable', () => {
    assert.equal(parseByteRange('bytes=10-', 10), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=0-0', 0), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-0', 10), 'unsatisfiable');
  });
});
