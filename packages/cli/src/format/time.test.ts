import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, formatTimestamp } from './time.js';

describe('formatTimestamp', () => {
  it('drops the T and milliseconds', () => {
    assert.equal(formatTimestamp('2026-11-23T16:26:41.123Z'), '2026-11-23 16:26:41Z');
    assert.equal(formatTimestamp(null), '-');
  });
});

describe('formatAge', () => {
  const now = Date.parse('2026-11-23T12:00:00.000Z');

  it('is coarse and relative', () => {
    assert.equal(formatAge('2026-11-23T12:00:00.000Z', now), 'just now');
    assert.equal(formatAge('2026-11-23T11:59:18.000Z', now), '42s ago');
    assert.equal(formatAge('2026-11-23T11:55:00.000Z', now), '5m ago');
    assert.equal(formatAge('2026-11-23T09:00:00.000Z', now), '3h ago');
    assert.equal(formatAge('2026-11-11T12:00:00.000Z', now), '12d ago');
    assert.equal(formatAge(null, now), 'never');
  });
});
