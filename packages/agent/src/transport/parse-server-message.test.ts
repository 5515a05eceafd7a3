import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerFrame, parseServerMessage } from './parse-server-message.js';

const command = { subtaskId: 1, taskId: 2, attempt: 1, chunkSize: 8 * 1024 * 1024, deadlineAt: '2030-01-01T00:00:00Z', files: [{ fileOpId: 3, path: '/x' }] };

describe('parseServerMessage', () => {
  it('accepts the three server messages', () => {
    assert.equal(parseServerMessage({ type: 'welcome', endpointId: 'e', heartbeatIntervalMs: 30000, serverTime: 'now' })?.type, 'welcome');
    assert.equal(parseServerMessage({ type: 'retrieve', command })?.type, 'retrieve');
    assert.equal(parseServerMessage({ type: 'cancel', subtaskId: 1, attempt: 1 })?.type, 'cancel');
  });

  it('rejects malformed messages', () => {
    assert.equal(parseServerMessage({ type: 'retrieve', command: { ...command, attempt: 0 } }), undefined);
    assert.equal(parseServerMessage({ type: 'retrieve', command: { ...command, files: [{ fileOpId: '3', path: '/x' }] } }), undefined);
    assert.equal(parseServerMessage({ type: 'retrieve', command: { ...command, chunkSize: 0 } }), undefined);
    assert.equal(parseServerMessage({ type: 'cancel', subtaskId: 1 }), undefined);
    assert.equal(parseServerMessage({ type: 'welcome', endpointId: 'e' }), undefined);
    assert.equal(parseServerMessage({ type: 'other' }), undefined);
    assert.equal(parseServerMessage(null), undefined);
    assert.equal(parseServerFrame('{not json'), undefined);
  });
});
