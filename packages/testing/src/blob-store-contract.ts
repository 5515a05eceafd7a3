import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isAppError, type BlobStore } from '@quarry/core';
import { chunked, readAll } from './streams.js';

/** Builds a fresh, empty store for one suite and a way to dispose of it. */
export type BlobStoreFactory = () => Promise<{ store: BlobStore; cleanup(): Promise<void> }>;

const FIVE_MIB_PLUS = 5 * 1024 * 1024 + 17;

/**
 * The behaviour every BlobStore adapter must show (local now, S3 later). Each adapter's test file
 * calls this once; tests use disjoint key prefixes so one store serves the whole suite.
 *
 * @example describeBlobStoreContract('LocalBlobStore', async () => { const t = await makeTempDir('blobs'); return { store: new LocalBlobStore(t.dir), cleanup: t.cleanup }; });
 */
export function describeBlobStoreContract(name: string, makeStore: BlobStoreFactory): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    let cleanup: () => Promise<void>;

    before(async () => {
      ({ store, cleanup } = await makeStore());
    });
    after(async () => {
      await cleanup();
    });

    const getAll = async (key: string, range?: { start: number; end: number }): Promise<Buffer> =>
      readAll(await store.get(key, range ? { range } : undefined));

    const assertSameBytes = (actual: Buffer, expected: Buffer, what: string): void => {
      assert.equal(actual.length, expected.length, `${what}: length`);
      assert.ok(actual.equals(expected), `${what}: bytes differ`);
    };

    for (const size of [0, 1, 4096, FIVE_MIB_PLUS]) {
      it(`round-trips ${size} random bytes byte for byte`, async () => {
        const data = randomBytes(size);
        const key = `roundtrip/${size}`;
        const stat = await store.put(key, chunked(data, { pieceSize: 65_537 }));
        assert.equal(stat.size, size);
        assert.deepEqual(await store.stat(key), { size });
        assertSameBytes(await getAll(key), data, 'get');
      });
    }

    it('accepts a matching declared size', async () => {
      const data = randomBytes(1000);
      assert.deepEqual(await store.put('declared/ok', chunked(data), { size: 1000 }), { size: 1000 });
    });

    it('serves inclusive byte ranges: first byte, last byte, middle, whole, across piece boundaries', async () => {
      const data = randomBytes(FIVE_MIB_PLUS);
      const key = 'ranges/blob';
      await store.put(key, chunked(data));
      const last = data.length - 1;
      const cases: Array<[number, number]> = [
        [0, 0],
        [last, last],
        [1, 1],
        [12345, 1_048_576 + 99],
        [1_048_575, 1_048_576],
        [0, last],
        [4_000_000, last],
      ];
      for (const [start, end] of cases) {
        assertSameBytes(await getAll(key, { start, end }), data.subarray(start, end + 1), `range ${start}-${end}`);
      }
    });

    it('replaces an existing key with the new content', async () => {
      const key = 'overwrite/blob';
      await store.put(key, chunked(randomBytes(300_000)));
      const second = randomBytes(1234);
      await store.put(key, chunked(second));
      assertSameBytes(await getAll(key), second, 'after overwrite');
      assert.deepEqual(await store.stat(key), { size: 1234 });
    });

    it('keeps serving the old object to a reader that opened it before an overwrite', async () => {
      const key = 'overwrite/reader';
      const first = randomBytes(3 * 1024 * 1024);
      await store.put(key, chunked(first));
      const reader = await store.get(key);
      await store.put(key, chunked(randomBytes(2 * 1024 * 1024)));
      const seen = await readAll(reader);
      assertSameBytes(seen, first, 'reader opened before overwrite');
    });

    it('ends with one whole object when two puts race on a key', async () => {
      const key = 'overwrite/race';
      const a = randomBytes(2 * 1024 * 1024);
      const b = randomBytes(2 * 1024 * 1024 + 1);
      await Promise.all([store.put(key, chunked(a)), store.put(key, chunked(b, { pieceSize: 50_000 }))]);
      const final = await getAll(key);
      assert.ok(final.equals(a) || final.equals(b), 'object is exactly one of the two writes');
    });

    it('stores nothing when the source stream errors mid-way', async () => {
      const key = 'failing/new';
      await assert.rejects(store.put(key, chunked(randomBytes(3 * 1024 * 1024), { failAfter: 1_500_000 })));
      assert.equal(await store.stat(key), null);
      await assert.rejects(store.get(key), (err: unknown) => isAppError(err, 'BLOB_NOT_FOUND'));
      const listed = await collect(store.list('failing/'));
      assert.deepEqual(listed, []);
    });

    it('leaves the previous object intact when an overwrite source errors', async () => {
      const key = 'failing/existing';
      const good = randomBytes(2 * 1024 * 1024 + 5);
      await store.put(key, chunked(good));
      await assert.rejects(store.put(key, chunked(randomBytes(3 * 1024 * 1024), { failAfter: 2_000_000 })));
      await assert.rejects(store.put(key, chunked(randomBytes(10), { failAfter: 0 })));
      assertSameBytes(await getAll(key), good, 'previous object');
      assert.deepEqual(await store.stat(key), { size: good.length });
      assert.deepEqual(await collect(store.list('failing/existing')), [{ key, size: good.length }]);
    });

    it('rejects a put whose declared size differs and keeps nothing', async () => {
      await assert.rejects(store.put('declared/bad', chunked(randomBytes(100)), { size: 99 }));
      assert.equal(await store.stat('declared/bad'), null);
    });

    it('reports missing keys: get -> BLOB_NOT_FOUND, stat -> null, delete -> no-op', async () => {
      await assert.rejects(store.get('missing/key'), (err: unknown) => isAppError(err, 'BLOB_NOT_FOUND'));
      await assert.rejects(store.get('missing/key', { range: { start: 0, end: 0 } }), (err: unknown) => isAppError(err, 'BLOB_NOT_FOUND'));
      assert.equal(await store.stat('missing/key'), null);
      await store.delete('missing/key');
      await store.delete('missing-dir/deeper/key');
    });

    it('deletes objects', async () => {
      const key = 'delete/one';
      await store.put(key, Readable.from([Buffer.from('abc')]));
      await store.put('delete/two', Readable.from([Buffer.from('def')]));
      await store.delete(key);
      assert.equal(await store.stat(key), null);
      await assert.rejects(store.get(key), (err: unknown) => isAppError(err, 'BLOB_NOT_FOUND'));
      assert.deepEqual(await store.stat('delete/two'), { size: 3 });
      await store.delete('delete/two');
      assert.deepEqual(await collect(store.list('delete/')), []);
      // The key space is usable again after its last object went away.
      await store.put(key, Readable.from([Buffer.from('again')]));
      assert.deepEqual(await store.stat(key), { size: 5 });
    });

    it('lists by prefix, including nested keys, and nothing outside it', async () => {
      const keys = ['list/a/0001', 'list/a/0002', 'list/a/sub/x', 'list/ab/0001', 'list/b/0001'];
      for (const [i, key] of keys.entries()) await store.put(key, Readable.from([Buffer.alloc(i + 1, i)]));
      const sorted = (xs: Array<{ key: string; size: number }>) => [...xs].sort((x, y) => x.key.localeCompare(y.key));
      assert.deepEqual(sorted(await collect(store.list('list/a/'))), [
        { key: 'list/a/0001', size: 1 },
        { key: 'list/a/0002', size: 2 },
        { key: 'list/a/sub/x', size: 3 },
      ]);
      assert.deepEqual(sorted(await collect(store.list('list/a'))).map((e) => e.key), ['list/a/0001', 'list/a/0002', 'list/a/sub/x', 'list/ab/0001']);
      assert.deepEqual((await collect(store.list('list/a/000'))).map((e) => e.key).sort(), ['list/a/0001', 'list/a/0002']);
      assert.deepEqual(await collect(store.list('list/none/')), []);
      assert.deepEqual(await collect(store.list('nothing-here')), []);
    });

    it('rejects unsafe keys with VALIDATION_FAILED', async () => {
      const bad = ['/abs', '../up', 'a/../b', 'a\\b', 'nul\0byte', '', 'a//b', 'trailing/'];
      for (const key of bad) {
        const isValidation = (err: unknown) => isAppError(err, 'VALIDATION_FAILED');
        await assert.rejects(store.put(key, Readable.from([Buffer.from('x')])), isValidation, `put ${JSON.stringify(key)}`);
        await assert.rejects(store.get(key), isValidation, `get ${JSON.stringify(key)}`);
        await assert.rejects(store.stat(key), isValidation, `stat ${JSON.stringify(key)}`);
        await assert.rejects(store.delete(key), isValidation, `delete ${JSON.stringify(key)}`);
      }
      await assert.rejects(collect(store.list('../')), (err: unknown) => isAppError(err, 'VALIDATION_FAILED'));
    });
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
