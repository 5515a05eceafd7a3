import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { INLINE_CONTENT_MAX_BYTES } from '@quarry/protocol';
import { beginUpload, call, createHarness, errorCode, MiB, putChunk, retrieveFile, sha256, type Harness } from './harness.js';

describe('PUT /agent/v1/uploads/:uploadId/chunks/:index', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  it('stores a two-chunk file end to end and reports it as retrieved', async () => {
    const content = randomBytes(5 * MiB + 1234);

    const { fileId, taskId } = await retrieveFile(h, content);

    const file = await call(h, 'GET', `/api/v1/files/${fileId}`, h.keys.viewer);
    assert.equal(file.statusCode, 200, file.body);
    assert.equal((file.json() as { sha256: string }).sha256, sha256(content));
    assert.equal((file.json() as { size: number }).size, content.length);
    const task = await call(h, 'GET', `/api/v1/retrievals/${taskId}`, h.keys.viewer);
    assert.equal((task.json() as { status: string }).status, 'succeeded');
    const list = await call(h, 'GET', `/api/v1/files?hash=${sha256(content)}`, h.keys.viewer);
    assert.equal((list.json() as { items: unknown[] }).items.length, 1);
  });

  it('a repeated chunk is idempotent', async () => {
    const content = randomBytes(1000);
    const { upload } = await beginUpload(h, content);

    const first = await putChunk(h, upload.uploadId, 0, content);
    const second = await putChunk(h, upload.uploadId, 0, content);

    assert.equal(first.statusCode, 200, first.body);
    assert.equal(second.statusCode, 200, second.body);
    assert.equal((second.json() as { duplicate: boolean }).duplicate, true);
  });

  it('refuses a chunk whose bytes do not match its hash -> 422 CHUNK_HASH_MISMATCH', async () => {
    const content = randomBytes(1000);
    const { upload } = await beginUpload(h, content);

    const res = await putChunk(h, upload.uploadId, 0, content, { 'x-quarry-chunk-sha256': sha256('other') });

    assert.equal(res.statusCode, 422);
    assert.equal(errorCode(res), 'CHUNK_HASH_MISMATCH');
  });

  it('refuses a chunk of the wrong length and one past the declared size', async () => {
    const content = randomBytes(1000);
    const { upload } = await beginUpload(h, content);

    const short = await putChunk(h, upload.uploadId, 0, content.subarray(0, 999));
    const long = await putChunk(h, upload.uploadId, 0, Buffer.concat([content, Buffer.from('x')]));
    const past = await putChunk(h, upload.uploadId, 1, content);

    assert.equal(errorCode(short), 'CHUNK_SIZE_MISMATCH');
    assert.equal(errorCode(long), 'CHUNK_SIZE_MISMATCH');
    assert.equal(errorCode(past), 'CHUNK_OUT_OF_RANGE');
    assert.equal(past.statusCode, 400);
  });

  it('requires the sha256 header (64 lower-hex) and Content-Length', async () => {
    const content = randomBytes(100);
    const { upload } = await beginUpload(h, content);

    const upper = await putChunk(h, upload.uploadId, 0, content, { 'x-quarry-chunk-sha256': sha256(content).toUpperCase() });
    const none = await h.app.inject({
      method: 'PUT',
      url: `/agent/v1/uploads/${upload.uploadId}/chunks/0`,
      headers: { authorization: `Bearer ${h.keys.agent}`, 'content-type': 'application/octet-stream' },
      payload: content,
    });
    const chunked = await putChunk(h, upload.uploadId, 0, content, { 'transfer-encoding': 'chunked' });

    assert.equal(errorCode(upper), 'VALIDATION_FAILED');
    assert.equal(errorCode(none), 'VALIDATION_FAILED');
    assert.equal(errorCode(chunked), 'VALIDATION_FAILED');
  });

  it('refuses a body above the chunk size before reading it -> 413', async () => {
    const content = randomBytes(100);
    const { upload } = await beginUpload(h, content);

    const res = await putChunk(h, upload.uploadId, 0, randomBytes(5 * MiB + 1));

    assert.equal(res.statusCode, 413);
    assert.equal(errorCode(res), 'BODY_TOO_LARGE');
  });

  it('unknown upload -> 404 UPLOAD_NOT_FOUND; malformed upload id -> 400', async () => {
    const missing = await putChunk(h, 'f'.repeat(32), 0, Buffer.from('abc'));
    const malformed = await putChunk(h, 'not-hex', 0, Buffer.from('abc'));

    assert.equal(errorCode(missing), 'UPLOAD_NOT_FOUND');
    assert.equal(errorCode(malformed), 'VALIDATION_FAILED');
  });

  it('an API credential may not upload', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: `/agent/v1/uploads/${'a'.repeat(32)}/chunks/0`,
      headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/octet-stream', 'x-quarry-chunk-sha256': sha256('x') },
      payload: Buffer.from('x'),
    });

    assert.equal(res.statusCode, 403);
    assert.equal(errorCode(res), 'AGENT_CREDENTIAL_REQUIRED');
  });

  it('completing with a wrong whole-file hash is refused', async () => {
    const content = randomBytes(2000);
    const { upload } = await beginUpload(h, content);
    assert.equal((await putChunk(h, upload.uploadId, 0, content)).statusCode, 200);

    const res = await call(h, 'POST', `/agent/v1/uploads/${upload.uploadId}/complete`, h.keys.agent, {
      md5: '0'.repeat(32),
      sha1: '0'.repeat(40),
      sha256: sha256('something else'),
    });

    assert.equal(errorCode(res), 'FILE_HASH_MISMATCH');
  });
});

describe('PUT /agent/v1/file-ops/:id/content', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  const hex = (alg: string, data: Buffer) => createHash(alg).update(data).digest('hex');
  /** Creates a retrieval and claims its command the way an agent polls for it. */
  async function claimFileOp(): Promise<{ taskId: number; fileOpId: number; attempt: number }> {
    const created = await call(h, 'POST', '/api/v1/retrievals', h.keys.admin, { endpoints: [h.endpointId], paths: ['/etc/small.conf'] });
    const taskId = (created.json() as { id: number }).id;
    const poll = await call(h, 'GET', '/agent/v1/poll?waitSeconds=0', h.keys.agent);
    const command = (poll.json() as { messages: Array<{ command?: { taskId: number; attempt: number; files: Array<{ fileOpId: number }> } }> }).messages.find((m) => m.command?.taskId === taskId)!.command!;
    return { taskId, fileOpId: command.files[0]!.fileOpId, attempt: command.attempt };
  }
  const query = (data: Buffer, attempt: number, extra: Record<string, string> = {}) =>
    new URLSearchParams({ attempt: String(attempt), md5: hex('md5', data), sha1: hex('sha1', data), sha256: hex('sha256', data), mtimeMs: '1700000000123.5', ...extra }).toString();
  const put = (fileOpId: number, qs: string, body: Buffer, key: string | null = h.keys.agent, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'PUT',
      url: `/agent/v1/file-ops/${fileOpId}/content?${qs}`,
      headers: { 'content-type': 'application/octet-stream', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      payload: body,
    });

  it('takes a small file in one request and the task succeeds', async () => {
    const data = randomBytes(4096);
    const { taskId, fileOpId, attempt } = await claimFileOp();

    const res = await put(fileOpId, query(data, attempt), data);

    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { fileId: fileOpId, deduplicated: false });
    const file = (await call(h, 'GET', `/api/v1/files/${fileOpId}`, h.keys.viewer)).json() as { sha256: string; size: number; mtime: string };
    assert.deepEqual([file.sha256, file.size, file.mtime], [sha256(data), 4096, new Date(1700000000123).toISOString()]);
    const task = (await call(h, 'GET', `/api/v1/retrievals/${taskId}`, h.keys.viewer)).json() as { status: string };
    assert.equal(task.status, 'succeeded');
  });

  it('answers bad requests in the agent error envelope and stores nothing', async () => {
    const data = randomBytes(100);
    const { fileOpId, attempt } = await claimFileOp();

    const noAuth = await put(fileOpId, query(data, attempt), data, null);
    const apiKey = await put(fileOpId, query(data, attempt), data, h.keys.admin);
    const badHash = await put(fileOpId, query(data, attempt, { sha256: 'ABC' }), data);
    const extra = await put(fileOpId, `${query(data, attempt)}&path=/etc/shadow`, data);
    const mismatch = await put(fileOpId, query(data, attempt), randomBytes(100));
    const tooBig = await put(fileOpId, query(data, attempt), Buffer.alloc(INLINE_CONTENT_MAX_BYTES + 1));
    const json = await h.app.inject({ method: 'PUT', url: `/agent/v1/file-ops/${fileOpId}/content?${query(data, attempt)}`, headers: { authorization: `Bearer ${h.keys.agent}` }, payload: { a: 1 } });

    assert.equal(noAuth.statusCode, 401);
    assert.equal(apiKey.statusCode, 403);
    assert.deepEqual([badHash.statusCode, errorCode(badHash)], [400, 'VALIDATION_FAILED']);
    assert.deepEqual([extra.statusCode, errorCode(extra)], [400, 'VALIDATION_FAILED']);
    assert.deepEqual([mismatch.statusCode, errorCode(mismatch)], [422, 'CHUNK_HASH_MISMATCH']);
    assert.equal(tooBig.statusCode, 413, tooBig.body);
    assert.equal(json.statusCode, 415, json.body);
    const ok = await put(fileOpId, query(data, attempt), data);
    assert.equal(ok.statusCode, 200, ok.body);
  });
});
