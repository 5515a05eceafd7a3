import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SUBTASK_STATES, TERMINAL_SUBTASK_STATES } from '@quarry/protocol';
import { canTransition, SUBTASK_TRANSITIONS } from './subtask-transitions.js';

describe('SUBTASK_TRANSITIONS', () => {
  it('has an entry for every state and only targets known states', () => {
    for (const s of SUBTASK_STATES) {
      assert.ok(Array.isArray(SUBTASK_TRANSITIONS[s]), s);
      for (const to of SUBTASK_TRANSITIONS[s]) assert.ok(SUBTASK_STATES.includes(to), `${s} -> ${to}`);
    }
  });

  it('lets nothing leave a terminal state', () => {
    for (const s of TERMINAL_SUBTASK_STATES) assert.deepEqual(SUBTASK_TRANSITIONS[s], [], s);
  });

  it('allows the happy path and retries, refuses skipping dispatch', () => {
    assert.ok(canTransition('queued', 'dispatched'));
    assert.ok(canTransition('dispatched', 'running'));
    assert.ok(canTransition('running', 'uploading'));
    assert.ok(canTransition('uploading', 'succeeded'));
    assert.ok(canTransition('uploading', 'queued'));
    assert.equal(canTransition('queued', 'running'), false);
    assert.equal(canTransition('queued', 'timed_out'), false);
    assert.equal(canTransition('running', 'expired'), false);
    assert.equal(canTransition('succeeded', 'cancelled'), false);
  });

  it('makes every non-terminal state cancellable', () => {
    for (const s of ['queued', 'dispatched', 'running', 'uploading'] as const) assert.ok(canTransition(s, 'cancelled'), s);
  });
});
