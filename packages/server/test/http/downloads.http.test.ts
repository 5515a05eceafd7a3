import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { call, createHarness, errorCode, retrieveFile, sha256, type Harness } from './harness.js';

interface Link {
  url: string;
  path: string;
  fileName: string;
  password?: string;
  size: number;
  sha256: string;
}

describe('download links', () => {
  let h: Harness;
  let fileId: number;
  const content = randomBytes(300_000);
  before(async () => {
    h = await createHarness({ publicUrl: 'https://quarry.example.test/' });
    fileId = (await retrieveFile(h, content, '/home/ana/Résumé "final".pdf')).fileId;
  });
  after(() => h.close());

  const link = async (body: unknown = {}): Promise<Link> => {
    const res = await call(h, 'POST', `/api/v1/files/${fileId}/links`, h.keys.responder, body);
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as Link;
  };
  const get = (path: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url: path, headers });

  it('returns an absolute URL on the public base and a relative path', async () => {
    const l = await link();

    assert.ok(l.url.startsWith('https://quarry.example.test/api/v1/downloads/'), l.url);
    assert.ok(l.url.endsWith(l.path));
    assert.equal(l.sha256, sha256(content));
  });

  it('raw: streams the bytes with length, etag, ranges and an RFC 5987 file name', async () => {
    const l = await link();

    const res = await get(l.path);

    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.equal(res.headers['content-length'], String(content.length));
    assert.equal(res.headers.etag, `"${sha256(content)}"`);
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="R_sum_ _final_.pdf"; filename\*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf$/);
    assert.equal(sha256(res.rawPayload), sha256(content));
  });

  it('raw: Range gives 206 with Content-Range, and the exact slice', async () => {
    const l = await link();

    const res = await get(l.path, { range: 'bytes=1000-70999' });
    const tail = await get(l.path, { range: 'bytes=-10' });

    assert.equal(res.statusCode, 206);
    assert.equal(res.headers['content-range'], `bytes 1000-70999/${content.length}`);
    assert.equal(res.headers['content-length'], '70000');
    assert.ok(res.rawPayload.equals(content.subarray(1000, 71000)));
    assert.ok(tail.rawPayload.equals(content.subarray(content.length - 10)));
  });

  it('raw: a range past the end is 416 RANGE_NOT_SATISFIABLE', async () => {
    const l = await link();

    const res = await get(l.path, { range: `bytes=${content.length}-` });

    assert.equal(res.statusCode, 416);
    assert.equal(errorCode(res), 'RANGE_NOT_SATISFIABLE');
    assert.equal(res.headers['content-range'], `bytes */${content.length}`);
  });

  it('zip: an AES zip named <name>.zip with its password in the link', async () => {
    const l = await link({ format: 'zip' });

    const res = await get(l.path);

    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.match(String(res.headers['content-disposition']), /filename\*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf.zip$/);
    assert.ok(typeof l.password === 'string' && l.password.length >= 8);
    assert.equal(res.rawPayload.readUInt32LE(0), 0x04034b50, 'starts with a local file header');
    assert.equal(res.headers['content-length'], String(res.rawPayload.length));
    assert.ok(res.rawPayload.length > content.length);
    assert.equal(res.rawPayload.indexOf(content.subarray(0, 64)), -1, 'the plaintext is not in the zip');
  });

  it('an expired link is 403 LINK_EXPIRED', async () => {
    const l = await link({ ttlSeconds: 60 });

    h.clock.advance(61_000);
    const res = await get(l.path);

    assert.equal(res.statusCode, 403);
    assert.equal(errorCode(res), 'LINK_EXPIRED');
  });

  it('a tampered link is 403 LINK_INVALID', async () => {
    const l = await link();
    const last = l.path.slice(-1);
    const tampered = `${l.path.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;

    const res = await get(tampered);
    const garbage = await get('/api/v1/downloads/not-a-token');

    assert.equal(errorCode(res), 'LINK_INVALID');
    assert.equal(errorCode(garbage), 'LINK_INVALID');
  });

  it('a responder without download permission cannot create links', async () => {
    const res = await call(h, 'POST', `/api/v1/files/${fileId}/links`, h.keys.responderNoDownload, {});

    assert.equal(errorCode(res), 'FORBIDDEN');
  });
});

describe('download over a real socket', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => h.close());

  it('a client that aborts mid-download does not disturb the server', async () => {
    const content = randomBytes(11 * 1024 * 1024);
    const { fileId } = await retrieveFile(h, content);
    const res = await call(h, 'POST', `/api/v1/files/${fileId}/links`, h.keys.admin, {});
    const { url } = res.json() as Link;
    const abort = new AbortController();

    const download = await fetch(url, { signal: abort.signal });
    const reader = download.body!.getReader();
    const first = await reader.read();
    abort.abort();
    await reader.read().catch(() => undefined);

    assert.ok(first.value && first.value.length > 0);
    const again = await fetch(url, { headers: { range: 'bytes=0-9' } });
    assert.equal(again.status, 206);
    assert.ok(Buffer.from(await again.arrayBuffer()).equals(content.subarray(0, 10)));
  });
});
