// A real HTTP peer on loopback serves canned bytes (with Range support) in place of the Quarry server.
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadToFile, DownloadIntegrityError, PARTIAL_SUFFIX, QuarryNetworkError } from '../src/index.js';

const CONTENT = randomBytes(3 * 1024 * 1024 + 123);
const SHA256 = createHash('sha256').update(CONTENT).digest('hex');
const CHUNK = 64 * 1024;

let server: Server;
let base: string;
let dir: string;
let ranges: Array<string | undefined>;

before(async () => {
  server = createServer(async (req, res) => {
    ranges.push(req.headers.range);
    const mode = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = mode !== 'norange' && m ? Number(m[1]) : 0;
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'content-length': CONTENT.length - start };
    if (start > 0) headers['content-range'] = `bytes ${start}-${CONTENT.length - 1}/${CONTENT.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    // Streams in chunks so the client sees many reads; "cut" drops the connection halfway.
    const stop = mode === 'cut' ? Math.floor(CONTENT.length / 2) : CONTENT.length;
    for (let i = start; i < stop; i += CHUNK) {
      if (!res.write(CONTENT.subarray(i, Math.min(i + CHUNK, stop)))) await new Promise((r) => res.once('drain', r));
    }
    if (mode === 'cut') res.destroy();
    else res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'quarry-client-dl-'));
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  ranges = [];
});

describe('downloadToFile', () => {
  it('writes the file, reports progress and verifies sha256', async () => {
    const target = join(dir, 'good.bin');
    const progress: Array<[number, number | null]> = [];

    const result = await downloadToFile(`${base}/ok`, target, { expectedSha256: SHA256, onProgress: (b, t) => progress.push([b, t]) });

    assert.equal(result.sha256, SHA256);
    assert.equal(result.bytes, CONTENT.length);
    assert.ok((await readFile(target)).equals(CONTENT));
    assert.equal(existsSync(target + PARTIAL_SUFFIX), false);
    assert.ok(progress.length > 2);
    assert.deepEqual(progress.at(-1), [CONTENT.length, CONTENT.length]);
    assert.ok(progress.every(([b], i) => i === 0 || b >= (progress[i - 1]?.[0] ?? 0)));
  });

  it('throws on a sha256 mismatch and leaves neither target nor temp file', async () => {
    const target = join(dir, 'bad.bin');

    await assert.rejects(downloadToFile(`${base}/ok`, target, { expectedSha256: '0'.repeat(64) }), (e: unknown) => {
      assert.ok(e instanceof DownloadIntegrityError);
      assert.equal(e.actualSha256, SHA256);
      assert.match(e.message, /sha256 mismatch/);
      return true;
    });
    assert.equal(existsSync(target), false);
    assert.equal(existsSync(target + PARTIAL_SUFFIX), false);
  });

  it('resumes from an offset with a Range request and still verifies the whole file', async () => {
    const target = join(dir, 'resume.bin');
    const offset = 1_000_000;
    // The partial holds more than we keep: the extra tail must be cut, not trusted.
    await writeFile(target + PARTIAL_SUFFIX, Buffer.concat([CONTENT.subarray(0, offset), Buffer.from('garbage')]));

    const result = await downloadToFile(`${base}/ok`, target, { expectedSha256: SHA256, resumeFrom: offset });

    assert.deepEqual(ranges, [`bytes=${offset}-`]);
    assert.equal(result.resumedBytes, offset);
    assert.ok((await readFile(target)).equals(CONTENT));
  });

  it('keeps the partial file when the connection drops, then resumes it with resumeFrom auto', async () => {
    const target = join(dir, 'cut.bin');

    await assert.rejects(downloadToFile(`${base}/cut`, target, { expectedSha256: SHA256 }), QuarryNetworkError);
    const partial = await readFile(target + PARTIAL_SUFFIX);
    assert.ok(partial.length > 0 && partial.length < CONTENT.length);

    const result = await downloadToFile(`${base}/ok`, target, { expectedSha256: SHA256, resumeFrom: 'auto' });

    assert.equal(result.resumedBytes, partial.length);
    assert.deepEqual(ranges.at(-1), `bytes=${partial.length}-`);
    assert.ok((await readFile(target)).equals(CONTENT));
    assert.equal(existsSync(target + PARTIAL_SUFFIX), false);
  });

  it('starts over when the server ignores the Range header', async () => {
    const target = join(dir, 'norange.bin');
    await writeFile(target + PARTIAL_SUFFIX, CONTENT.subarray(0, 5000));

    const result = await downloadToFile(`${base}/norange`, target, { expectedSha256: SHA256, resumeFrom: 'auto' });

    assert.equal(result.resumedBytes, 0);
    assert.deepEqual(ranges, ['bytes=5000-', undefined]);
    assert.ok((await readFile(target)).equals(CONTENT));
  });
});
