import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SUBTASK_STATES } from '@quarry/protocol';
import type { SubtaskStateCounts } from '../ports/task-store.js';
import { deriveTaskStatus } from './derive-task-status.js';

function counts(partial: Partial<SubtaskStateCounts>): SubtaskStateCounts {
  return { ...(Object.fromEntries(SUBTASK_STATES.map((s) => [s, 0])) as SubtaskStateCounts), ...partial };
}

describe('deriveTaskStatus', () => {
  const cases: Array<[string, Partial<SubtaskStateCounts>, string]> = [
    ['no subtasks', {}, 'pending'],
    ['all queued', { queued: 3 }, 'pending'],
    ['one dispatched', { queued: 2, dispatched: 1 }, 'running'],
    ['some queued some ended', { queued: 1, succeeded: 1 }, 'running'],
    ['uploading with failures', { uploading: 1, failed: 2 }, 'running'],
    ['all succeeded', { succeeded: 2 }, 'succeeded'],
    ['some succeeded', { succeeded: 1, failed: 1 }, 'partially_succeeded'],
    ['succeeded and cancelled', { succeeded: 1, cancelled: 1 }, 'partially_succeeded'],
    ['all cancelled', { cancelled: 2 }, 'cancelled'],
    ['all expired', { expired: 2 }, 'expired'],
    ['expired and cancelled', { expired: 1, cancelled: 1 }, 'expired'],
    ['expired and failed', { expired: 1, failed: 1 }, 'failed'],
    ['expired and timed out', { expired: 1, timed_out: 1 }, 'failed'],
    ['all failed', { failed: 2 }, 'failed'],
    ['failed and cancelled', { failed: 1, cancelled: 1 }, 'failed'],
    ['timed out', { timed_out: 1 }, 'failed'],
  ];
  for (const [name, c, expected] of cases) {
    it(`${name} -> ${expected}`, () => {
      assert.equal(deriveTaskStatus(counts(c)), expected);
    });
  }
});
