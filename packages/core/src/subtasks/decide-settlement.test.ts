import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decideSettlement } from './decide-settlement.js';

describe('decideSettlement', () => {
  it('waits while a file is in progress', () => {
    assert.deepEqual(decideSettlement([{ state: 'succeeded', failureCode: null }, { state: 'uploading', failureCode: null }], 1, 3), { to: 'pending' });
  });

  it('succeeds when every file succeeded', () => {
    assert.deepEqual(decideSettlement([{ state: 'succeeded', failureCode: null }], 1, 3), { to: 'succeeded' });
  });

  it('retries a retryable failure while attempts remain', () => {
    assert.deepEqual(decideSettlement([{ state: 'failed', failureCode: 'IO_ERROR' }], 1, 3), { to: 'queued', failureCode: 'IO_ERROR' });
    assert.deepEqual(decideSettlement([{ state: 'failed', failureCode: 'IO_ERROR' }], 3, 3), { to: 'failed', failureCode: 'IO_ERROR' });
  });

  it('fails with the single code, or SOME_FILES_FAILED when some succeeded', () => {
    assert.deepEqual(decideSettlement([{ state: 'failed', failureCode: 'NOT_FOUND' }, { state: 'failed', failureCode: 'NOT_FOUND' }], 1, 3), { to: 'failed', failureCode: 'NOT_FOUND' });
    assert.deepEqual(decideSettlement([{ state: 'failed', failureCode: 'NOT_FOUND' }, { state: 'succeeded', failureCode: null }], 1, 3), { to: 'failed', failureCode: 'SOME_FILES_FAILED' });
  });

  it('reports the most frequent of several codes', () => {
    const files = [
      { state: 'failed' as const, failureCode: 'PERMISSION_DENIED' as const },
      { state: 'failed' as const, failureCode: 'NOT_FOUND' as const },
      { state: 'failed' as const, failureCode: 'NOT_FOUND' as const },
    ];
    assert.deepEqual(decideSettlement(files, 1, 1), { to: 'failed', failureCode: 'NOT_FOUND' });
  });
});
