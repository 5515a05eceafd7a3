import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FileOp, RetrievalDetail, Subtask } from '@quarry/protocol';
import { collectFailures, formatFailure } from './failures.js';

function op(id: number, path: string, state: string, failureCode: string | null = null, failureMessage: string | null = null): FileOp {
  return { id, path, state, failureCode, failureMessage, size: null, bytesDone: 0, fileId: null } as unknown as FileOp;
}
function subtask(id: number, hostname: string, state: string, files: FileOp[], failureCode: string | null = null): Subtask {
  return { id, hostname, endpointId: 'e'.repeat(32), state, files, failureCode, failureMessage: null } as unknown as Subtask;
}

describe('collectFailures', () => {
  it('reports failed files, and subtask failures only when no file explains them', () => {
    const detail = {
      subtasks: {
        items: [
          subtask(1, 'ok', 'succeeded', [op(10, '/a', 'succeeded')]),
          subtask(2, 'web', 'failed', [op(20, '/a', 'succeeded'), op(21, '/shadow', 'failed', 'PERMISSION_DENIED', 'permission denied')], 'SOME_FILES_FAILED'),
          subtask(3, 'off', 'expired', [op(30, '/a', 'pending')]),
        ],
        nextCursor: null,
      },
    } as unknown as RetrievalDetail;

    const failures = collectFailures(detail);

    assert.deepEqual(
      failures.map((f) => [f.hostname, f.path, f.code, f.message]),
      [
        ['web', '/shadow', 'PERMISSION_DENIED', 'permission denied'],
        ['off', null, 'EXPIRED', 'expired'],
      ],
    );
    assert.equal(formatFailure(failures[0]!), 'failed  web  /shadow  PERMISSION_DENIED: permission denied');
  });
});
