import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Static } from 'typebox';
import { Value } from 'typebox/value';
import { literalUnion } from './literal-union.js';
import type { Task } from './rest/retrievals.js';

describe('literalUnion', () => {
  it('keeps literal types when inferred', () => {
    const S = literalUnion(['a', 'b'] as const);
    const v: Static<typeof S> = 'a';
    // @ts-expect-error 'c' is not a member
    const w: Static<typeof S> = 'c';
    const status: Task['status'] = 'running';
    assert.equal(v, 'a');
    assert.equal(w, 'c');
    assert.equal(status, 'running');
  });

  it('validates members and rejects others', () => {
    const S = literalUnion(['queued', 'failed'] as const);
    assert.equal(Value.Check(S, 'queued'), true);
    assert.equal(Value.Check(S, 'nope'), false);
  });
});
