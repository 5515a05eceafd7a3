import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelayMs } from './retry-backoff.js';

describe('retryDelayMs', () => {
  it('doubles per attempt around the base delay', () => {
    const mid = () => 0.5;
    assert.equal(retryDelayMs(30, 1, mid), 30_000);
    assert.equal(retryDelayMs(30, 2, mid), 60_000);
    assert.equal(retryDelayMs(30, 3, mid), 120_000);
  });

  it('stays within ±20 % jitter', () => {
    assert.equal(retryDelayMs(10, 1, () => 0), 8_000);
    assert.equal(retryDelayMs(10, 1, () => 0.999999), 12_000);
    for (let i = 0; i < 100; i++) {
      const d = retryDelayMs(10, 2);
      assert.ok(d >= 16_000 && d <= 24_000, String(d));
    }
  });
});
