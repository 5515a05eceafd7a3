import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryAfterMs } from './retry-after.js';

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, capped at two minutes', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');

    assert.equal(retryAfterMs({ 'retry-after': '3' }, now), 3000);
    assert.equal(retryAfterMs({ 'retry-after': 'Tue, 01 Jan 2030 00:00:10 GMT' }, now), 10_000);
    assert.equal(retryAfterMs({ 'retry-after': '99999' }, now), 120_000);
    assert.equal(retryAfterMs({ 'retry-after': 'Mon, 31 Dec 2029 00:00:00 GMT' }, now), 0);
  });

  it('ignores a missing or unusable header', () => {
    assert.equal(retryAfterMs({}), undefined);
    assert.equal(retryAfterMs({ 'retry-after': 'soon' }), undefined);
  });
});
