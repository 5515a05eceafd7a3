import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { isAppError } from '@quarry/core';
import { chunked, describeBlobStoreContract, readAll } from '@quarry/testing';
import { MIN_PART_SIZE, S3BlobStore } from '../src/index.js';
import { S3_URL, listMultipartUploads, makeTestStore, s3SuiteGuard } from './s3-test-bucket.js';

const guard = s3SuiteGuard();

if (S3_URL) {
  describeBlobStoreContract('S3BlobStore (Swift s3api)', async () => {
    const { store, cleanup } = await makeTestStore();
    return { store, cleanup };
  });

  describeBlobStoreContract('S3BlobStore with a key prefix', async () => {
    const { store, cleanup } = await makeTestStore({ prefix: 'tenant/blobs/' });
    return { store, cleanup };
  });
}

describe('S3BlobStore against a real S3 endpoint', guard, () => {
  const MULTIPART_SIZE = 20 * 1024 * 1024 + 123_457;
  let t: Awaited<ReturnType<typeof makeTestStore>>;
  let store: S3BlobStore;

  before(async () => {
    t = await makeTestStore({ partSize: MIN_PART_SIZE });
    store = t.store;
  });
  after(async () => t?.cleanup());

  it(`uploads ${MULTIPART_SIZE} random bytes as a multipart upload and reads them back byte for byte`, async () => {
    const data = randomBytes(MULTIPART_SIZE);
    const key = 'multipart/big';
    assert.deepEqual(await store.put(key, chunked(data, { pieceSize: 65_536 + 7 }), { size: data.length }), { size: data.length });
    const head = await store.client.send(new HeadObjectCommand({ Bucket: t.options.bucket, Key: key }));
    // S3 marks objects assembled from N parts with an ETag ending in "-N".
    assert.match(head.ETag ?? '', /-5"?$/, `ETag ${head.ETag} should show 5 parts`);
    const back = await readAll(await store.get(key));
    assert.equal(back.length, data.length);
    assert.equal(createHash('sha256').update(back).digest('hex'), createHash('sha256').update(data).digest('hex'));
    assert.ok(back.equals(data));
    // A range spanning the boundary between part 1 and part 2.
    const start = MIN_PART_SIZE - 10;
    const slice = await readAll(await store.get(key, { range: { start, end: start + 19 } }));
    assert.ok(slice.equals(data.subarray(start, start + 20)));
    assert.deepEqual(await collect(store.list('multipart/')), [{ key, size: data.length }]);
  });

  it('aborts the multipart upload when the source fails after several parts', async () => {
    const key = 'multipart/failing';
    const good = randomBytes(1000);
    await store.put(key, chunked(good));
    await assert.rejects(store.put(key, chunked(randomBytes(16 * 1024 * 1024), { failAfter: 12 * 1024 * 1024 })));
    assert.deepEqual(await listMultipartUploads(store.client, t.options.bucket), []);
    assert.ok((await readAll(await store.get(key))).equals(good));
  });

  it('rejects a multipart body longer than its declared size and stores nothing', async () => {
    const key = 'multipart/too-long';
    await assert.rejects(
      store.put(key, chunked(randomBytes(11 * 1024 * 1024)), { size: 11 * 1024 * 1024 - 1 }),
      (err: unknown) => isAppError(err, 'VALIDATION_FAILED'),
    );
    assert.equal(await store.stat(key), null);
    assert.deepEqual(await listMultipartUploads(store.client, t.options.bucket), []);
  });

  it('rejects a body shorter than its declared size and stores nothing', async () => {
    const key = 'single/too-short';
    await assert.rejects(store.put(key, chunked(randomBytes(100)), { size: 101 }), (err: unknown) => isAppError(err, 'VALIDATION_FAILED'));
    assert.equal(await store.stat(key), null);
  });

  it('maps a range starting past the end to RANGE_NOT_SATISFIABLE and rejects malformed ranges', async () => {
    await store.put('ranges/ten', Readable.from([Buffer.alloc(10, 1)]));
    const unsatisfiable = (err: unknown) => isAppError(err, 'RANGE_NOT_SATISFIABLE');
    await assert.rejects(store.get('ranges/ten', { range: { start: 10, end: 20 } }), unsatisfiable);
    await assert.rejects(store.get('ranges/ten', { range: { start: 5, end: 4 } }), unsatisfiable);
    await assert.rejects(store.get('ranges/ten', { range: { start: -1, end: 4 } }), unsatisfiable);
    // An end past the object is clamped, as in HTTP.
    assert.equal((await readAll(await store.get('ranges/ten', { range: { start: 8, end: 1000 } }))).length, 2);
  });

  it('keeps stores with different prefixes on one bucket apart', async () => {
    const a = new S3BlobStore({ ...t.options, prefix: 'a' });
    const b = new S3BlobStore({ ...t.options, prefix: 'b/' });
    try {
      await a.put('same/key', Readable.from([Buffer.from('from a')]));
      await b.put('same/key', Readable.from([Buffer.from('from b!')]));
      assert.equal((await readAll(await a.get('same/key'))).toString(), 'from a');
      assert.deepEqual(await collect(a.list('')), [{ key: 'same/key', size: 6 }]);
      assert.deepEqual(await collect(b.list('same/')), [{ key: 'same/key', size: 7 }]);
      assert.deepEqual(await store.stat('a/same/key'), { size: 6 });
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('lists across several pages', async () => {
    const paged = new S3BlobStore({ ...t.options, prefix: 'paged/', listPageSize: 3 });
    try {
      const keys = Array.from({ length: 8 }, (_, i) => `k/${String(i).padStart(3, '0')}`);
      await Promise.all(keys.map((k) => paged.put(k, Readable.from([Buffer.from('x')]))));
      assert.deepEqual((await collect(paged.list('k/'))).map((e) => e.key).sort(), keys);
      assert.deepEqual((await collect(paged.list('k/00'))).length, 8);
    } finally {
      paged.destroy();
    }
  });

  it('ensureBucket is idempotent', async () => {
    await store.ensureBucket();
    await store.ensureBucket();
  });

  it('does not disguise a missing bucket as a missing object', async () => {
    const ghost = new S3BlobStore({ ...t.options, bucket: `${t.options.bucket}-missing` });
    try {
      await assert.rejects(ghost.get('any/key'), (err: unknown) => !isAppError(err, 'BLOB_NOT_FOUND'));
    } finally {
      ghost.destroy();
    }
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
