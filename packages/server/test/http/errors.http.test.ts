import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, createHarness, errorCode, type Harness } from './harness.js';

describe('bad input never crashes and always gets the envelope', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ bodyLimitBytes: 64 * 1024, maxTargetPaths: 5 });
  });
  after(() => h.close());

  const retrieval = (body: unknown) => call(h, 'POST', '/api/v1/retrievals', h.keys.admin, body);

  it('envelope carries code, message and the request id of the response', async () => {
    const res = await call(h, 'GET', '/api/v1/nope', h.keys.admin);

    assert.equal(res.statusCode, 404);
    const body = res.json() as { error: { code: string; message: string; requestId: string } };
    assert.equal(body.error.code, 'ROUTE_NOT_FOUND');
    assert.match(body.error.message, /GET \/api\/v1\/nope/);
    assert.equal(body.error.requestId, res.headers['x-request-id']);
    assert.match(String(res.headers['content-type']), /application\/json/);
  });

  it('unknown endpoint -> 404 ENDPOINT_NOT_FOUND', async () => {
    const res = await retrieval({ endpoints: ['no-such-host'], paths: ['/etc/hosts'] });

    assert.equal(res.statusCode, 404);
    assert.equal(errorCode(res), 'ENDPOINT_NOT_FOUND');
  });

  it('empty target lists -> 400', async () => {
    const a = await retrieval({ endpoints: [], paths: ['/etc/hosts'] });
    const b = await retrieval({ endpoints: [h.endpointId], paths: [] });

    assert.equal(a.statusCode, 400);
    assert.equal(b.statusCode, 400);
    assert.ok(['VALIDATION_FAILED', 'TARGETS_EMPTY'].includes(errorCode(a)));
    assert.ok(['VALIDATION_FAILED', 'TARGETS_EMPTY'].includes(errorCode(b)));
  });

  it('more paths than the configured limit -> 400 TARGETS_TOO_MANY', async () => {
    const res = await retrieval({ endpoints: [h.endpointId], paths: ['/a', '/b', '/c', '/d', '/e', '/f'] });

    assert.equal(res.statusCode, 400);
    assert.equal(errorCode(res), 'TARGETS_TOO_MANY');
  });

  it('more paths than the protocol allows -> 400 VALIDATION_FAILED', async () => {
    const res = await retrieval({ endpoints: [h.endpointId], paths: Array.from({ length: 101 }, (_, i) => `/p${i}`) });

    assert.equal(res.statusCode, 400);
    assert.equal(errorCode(res), 'VALIDATION_FAILED');
  });

  it('relative path and NUL byte -> 400 PATH_INVALID', async () => {
    const rel = await retrieval({ endpoints: [h.endpointId], paths: ['etc/hosts'] });
    const nul = await retrieval({ endpoints: [h.endpointId], paths: ['/etc/ho\u0000sts'] });

    assert.equal(errorCode(rel), 'PATH_INVALID');
    assert.equal(errorCode(nul), 'PATH_INVALID');
    assert.equal(rel.statusCode, 400);
  });

  it('unknown body field -> 400 VALIDATION_FAILED with details', async () => {
    const res = await retrieval({ endpoints: [h.endpointId], paths: ['/etc/hosts'], color: 'red' });

    assert.equal(res.statusCode, 400);
    assert.equal(errorCode(res), 'VALIDATION_FAILED');
    const details = (res.json() as { error: { details: { issues: unknown[] } } }).error.details;
    assert.ok(Array.isArray(details.issues) && details.issues.length > 0);
  });

  it('oversized JSON body -> 413 BODY_TOO_LARGE', async () => {
    const res = await retrieval({ endpoints: [h.endpointId], paths: ['/etc/hosts'], name: 'x'.repeat(70 * 1024) });

    assert.equal(res.statusCode, 413);
    assert.equal(errorCode(res), 'BODY_TOO_LARGE');
  });

  it('malformed JSON -> 400 VALIDATION_FAILED', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/retrievals',
      headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' },
      payload: '{"endpoints": [',
    });

    assert.equal(res.statusCode, 400);
    assert.equal(errorCode(res), 'VALIDATION_FAILED');
  });

  it('prototype-poisoning JSON is refused', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/retrievals',
      headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' },
      payload: '{"endpoints":["a"],"paths":["/x"],"__proto__":{"admin":true}}',
    });

    assert.equal(res.statusCode, 400);
    assert.equal(errorCode(res), 'VALIDATION_FAILED');
  });

  it('unsupported content type -> 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/retrievals',
      headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/octet-stream' },
      payload: Buffer.from('abc'),
    });

    assert.equal(res.statusCode, 415);
    assert.equal(errorCode(res), 'UNSUPPORTED_MEDIA_TYPE');
    const text = await h.app.inject({
      method: 'POST',
      url: '/api/v1/retrievals',
      headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    assert.equal(errorCode(text), 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('non-numeric id -> 400, unknown id -> 404 with its own code', async () => {
    const bad = await call(h, 'GET', '/api/v1/retrievals/abc', h.keys.viewer);
    const missing = await call(h, 'GET', '/api/v1/retrievals/424242', h.keys.viewer);
    const subtask = await call(h, 'GET', '/api/v1/subtasks/424242', h.keys.viewer);

    assert.equal(errorCode(bad), 'VALIDATION_FAILED');
    assert.equal(errorCode(missing), 'TASK_NOT_FOUND');
    assert.equal(errorCode(subtask), 'SUBTASK_NOT_FOUND');
  });

  it('bad query values -> 400 VALIDATION_FAILED', async () => {
    const res = await call(h, 'GET', '/api/v1/endpoints?limit=100000', h.keys.viewer);

    assert.equal(errorCode(res), 'VALIDATION_FAILED');
  });

  it('bodiless POST with a JSON content type is accepted (cancel)', async () => {
    const created = await retrieval({ endpoints: [h.endpointId], paths: ['/etc/hosts'] });
    const id = (created.json() as { id: number }).id;

    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1/retrievals/${id}/cancel`,
      headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' },
    });

    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { status: string }).status, 'cancelled');
    const again = await call(h, 'POST', `/api/v1/retrievals/${id}/cancel`, h.keys.admin);
    assert.equal(errorCode(again), 'TASK_NOT_CANCELLABLE');
  });

  it('GET /api/docs/json serves the OpenAPI document with the native routes', async () => {
    const res = await call(h, 'GET', '/api/docs/json', null);

    assert.equal(res.statusCode, 200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\./);
    for (const p of ['/api/v1/retrievals', '/api/v1/retrievals/{id}', '/api/v1/files/{id}/links', '/api/v1/endpoints']) {
      assert.ok(doc.paths[p], `missing ${p}`);
    }
  });
});
