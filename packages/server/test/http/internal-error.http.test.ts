import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, createHarness, errorCode, type Harness } from './harness.js';

describe('unexpected failures', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  it('become 500 INTERNAL with a generic message, and the server keeps serving', async () => {
    // Authenticate first, then pull the database away under a request that needs it.
    const ok = await call(h, 'GET', '/api/v1/me', h.keys.viewer);
    assert.equal(ok.statusCode, 200);
    await h.store.close();

    const res = await call(h, 'GET', '/api/v1/endpoints', h.keys.viewer);

    assert.equal(res.statusCode, 500);
    assert.equal(errorCode(res), 'INTERNAL');
    const message = (res.json() as { error: { message: string } }).error.message;
    assert.doesNotMatch(message, /sqlite|kysely|destroy|driver/i);
    assert.equal((await call(h, 'GET', '/healthz', null)).statusCode, 200);
  });
});
