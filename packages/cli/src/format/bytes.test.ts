import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { humanBytes } from './bytes.js';

describe('humanBytes', () => {
  it('formats sizes in binary units with sensible precision', () => {
    assert.equal(humanBytes(0), '0 B');
    assert.equal(humanBytes(1023), '1023 B');
    assert.equal(humanBytes(1536), '1.50 KiB');
    assert.equal(humanBytes(15 * 1024 * 1024), '15.0 MiB');
    assert.equal(humanBytes(300 * 1024 ** 3), '300 GiB');
  });

  it('shows a dash for unknown sizes', () => {
    assert.equal(humanBytes(null), '-');
    assert.equal(humanBytes(undefined), '-');
  });
});
