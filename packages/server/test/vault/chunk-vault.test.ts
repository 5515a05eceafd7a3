import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isAppError, type ChunkVault, type ContentRef } from '@quarry/core';
import { LocalBlobStore } from '@quarry/storage-blob-local';
import { chunked, makeTempDir, readAll } from '@quarry/testing';
import { chunkKey, createChunkVault, encryptedChunkSize, legacyChunkKey } from '../../src/vault/index.js';
import { newUploadId, readTree, sha256, storeContent } from './vault-helpers.js';

const MiB = 1024 * 1024;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('ChunkVault on LocalBlobStore', () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  let blobs: LocalBlobStore;
  let masterKey: Buffer;
  let vault: ChunkVault;
  /** Small segments so tests cross many segment boundaries cheaply. */
  let smallVault: ChunkVault;

  before(async () => {
    temp = await makeTempDir('quarry-vault');
    blobs = new LocalBlobStore(temp.dir);
    masterKey = randomBytes(32);
    vault = createChunkVault({ blobs, masterKey });
    smallVault = createChunkVault({ blobs, masterKey, segmentSize: 1000 });
  });
  after(async () => temp.cleanup());

  const keyOf = (ref: ContentRef, index: number) => chunkKey(ref.uploadId, index, ref.chunkSha256s[index]!);
  const fileOf = (ref: ContentRef, index: number) => join(temp.dir, ...keyOf(ref, index).split('/'));
  const freshVault = () => createChunkVault({ blobs, masterKey });
  const assertSame = (actual: Buffer, expected: Buffer, what: string) => {
    assert.equal(actual.length, expected.length, `${what}: length`);
    assert.ok(actual.equals(expected), `${what}: bytes differ`);
  };
  const assertOpenFails = async (v: ChunkVault, ref: ContentRef, range?: { start: number; end: number }) => {
    await assert.rejects(async () => readAll(await v.open(ref, range)), (err: unknown) => isAppError(err));
  };

  it('round-trips multi-chunk random data byte for byte, with the sha256 kept and recomputed', async () => {
    const data = randomBytes(7 * MiB + 123);
    const ref = await storeContent(vault, data, 2 * MiB);
    assert.equal(ref.chunkCount, 4);
    assertSame(await readAll(await vault.open(ref)), data, 'open');
    assertSame(await readAll(await freshVault().open(ref)), data, 'open from a fresh vault');
    assert.equal(await vault.computeSha256(ref), sha256(data));
    assert.equal(await freshVault().computeSha256(ref), sha256(data));
    assert.equal((await blobs.stat(keyOf(ref, 3)))?.size, encryptedChunkSize(MiB + 123, MiB));
  });

  it('serves ranges at chunk and segment boundaries', async () => {
    const chunkSize = 4096; // 4 segments of 1000 and one of 96 per chunk
    const data = randomBytes(3 * chunkSize + 2500);
    const ref = await storeContent(smallVault, data, chunkSize);
    const last = data.length - 1;
    const boundaries = new Set<number>([0, last]);
    for (let c = 0; c * chunkSize <= last; c += 1) {
      for (const local of [0, 1000, 2000, 3000, 4000]) if (c * chunkSize + local <= last) boundaries.add(c * chunkSize + local);
    }
    const ranges: Array<[number, number]> = [[0, last]];
    for (const b of boundaries) {
      ranges.push([b, b], [0, b], [b, last]);
      if (b > 0) ranges.push([b - 1, b], [b - 1, Math.min(last, b + 1500)]);
    }
    for (let i = 0; i < 50; i += 1) {
      const a = Math.floor(Math.random() * data.length);
      const z = Math.floor(Math.random() * data.length);
      ranges.push([Math.min(a, z), Math.max(a, z)]);
    }
    for (const [start, end] of ranges) {
      assertSame(await readAll(await freshVault().open(ref, { start, end })), data.subarray(start, end + 1), `range ${start}-${end}`);
    }
    for (const bad of [{ start: 0, end: data.length }, { start: 5, end: 4 }, { start: -1, end: 3 }]) {
      await assert.rejects(vault.open(ref, bad), (err: unknown) => isAppError(err, 'RANGE_NOT_SATISFIABLE'));
    }
  });

  it('stores and reads empty content', async () => {
    const ref = await storeContent(vault, Buffer.alloc(0), 8 * MiB);
    assert.equal(ref.chunkCount, 1);
    assert.equal((await blobs.stat(keyOf(ref, 0)))?.size, 28);
    assertSame(await readAll(await vault.open(ref)), Buffer.alloc(0), 'empty');
    assert.equal(await vault.computeSha256(ref), EMPTY_SHA256);
    assert.equal(await freshVault().computeSha256(ref), EMPTY_SHA256);
    await assert.rejects(vault.open(ref, { start: 0, end: 0 }), (err: unknown) => isAppError(err, 'RANGE_NOT_SATISFIABLE'));
    const none: ContentRef = { ...ref, uploadId: newUploadId(), chunkCount: 0 };
    assert.equal((await readAll(await vault.open(none))).length, 0);
  });

  it('puts no plaintext on disk', async () => {
    const marker = Buffer.from('QUARRY-PLAINTEXT-MARKER-0123456789');
    const data = Buffer.concat(Array.from({ length: 70_000 }, () => marker));
    const ref = await storeContent(vault, data, MiB);
    const tree = await readTree(join(temp.dir, 'uploads', ref.uploadId));
    assert.equal(tree.size, ref.chunkCount);
    for (const [name, bytes] of tree) {
      assert.equal(bytes.indexOf(marker.subarray(0, 12)), -1, `plaintext found in ${name}`);
    }
    assertSame(await readAll(await vault.open(ref)), data, 'marker content');
  });

  it('detects a flipped byte, truncation, swapped chunks and a chunk from another upload', async () => {
    const chunkSize = 3000;
    const data = randomBytes(4 * chunkSize);
    const flip = await storeContent(smallVault, data, chunkSize);
    const bytes = await readFile(fileOf(flip, 1));
    bytes[1500]! ^= 0x40;
    await writeFile(fileOf(flip, 1), bytes);
    await assertOpenFails(smallVault, flip);
    await assertOpenFails(freshVault(), flip, { start: chunkSize + 1000, end: chunkSize + 1999 });
    assertSame(await readAll(await smallVault.open(flip, { start: 0, end: chunkSize - 1 })), data.subarray(0, chunkSize), 'untouched chunk');

    const cut = await storeContent(smallVault, data, chunkSize);
    await truncate(fileOf(cut, 2), 2 * 1028);
    await assertOpenFails(smallVault, cut);
    await assertOpenFails(smallVault, cut, { start: 2 * chunkSize, end: 2 * chunkSize + 10 });

    const swap = await storeContent(smallVault, data, chunkSize);
    await rename(fileOf(swap, 0), `${fileOf(swap, 0)}.x`);
    await rename(fileOf(swap, 3), fileOf(swap, 0));
    await rename(`${fileOf(swap, 0)}.x`, fileOf(swap, 3));
    await assertOpenFails(smallVault, swap);
    await assertOpenFails(smallVault, swap, { start: 0, end: 0 });

    const other = await storeContent(smallVault, data, chunkSize);
    const donor = await storeContent(smallVault, data, chunkSize);
    await writeFile(fileOf(other, 1), await readFile(fileOf(donor, 1)));
    await assertOpenFails(smallVault, other);

    const wrongMaster = createChunkVault({ blobs, masterKey: randomBytes(32) });
    await assert.rejects(wrongMaster.open(donor), (err: unknown) => isAppError(err, 'INTERNAL'));
  });

  it('throws BLOB_NOT_FOUND from open when a chunk is missing', async () => {
    const ref = await storeContent(smallVault, randomBytes(9000), 3000);
    await blobs.delete(keyOf(ref, 2));
    await assert.rejects(smallVault.open(ref), (err: unknown) => isAppError(err, 'BLOB_NOT_FOUND'));
    await assert.rejects(freshVault().computeSha256(ref), (err: unknown) => isAppError(err, 'BLOB_NOT_FOUND'));
    assert.equal((await readAll(await smallVault.open(ref, { start: 0, end: 5999 }))).length, 6000);
  });

  it('rejects a wrong size or hash and keeps the earlier good chunk as it was', async () => {
    const good = randomBytes(2 * MiB + 7);
    const ref = await storeContent(vault, good, 4 * MiB);
    const { uploadId, wrappedKey } = ref;
    const before = await readFile(fileOf(ref, 0));
    const attempt = (body: Readable, expectedSha256 = sha256(good)) =>
      vault.writeChunk({ uploadId, index: 0, wrappedKey, expectedSize: good.length, expectedSha256, body });

    const other = randomBytes(good.length);
    await assert.rejects(attempt(chunked(other)), (err: unknown) => isAppError(err, 'CHUNK_HASH_MISMATCH'));
    await assert.rejects(attempt(chunked(good.subarray(1))), (err: unknown) =>
      isAppError(err, 'CHUNK_SIZE_MISMATCH') && err.details?.expected === good.length && err.details?.actual === good.length - 1);
    await assert.rejects(attempt(chunked(Buffer.concat([good, Buffer.from('x')]))), (err: unknown) =>
      isAppError(err, 'CHUNK_SIZE_MISMATCH') && Number(err.details?.actual) > good.length);
    await assert.rejects(attempt(chunked(good, { failAfter: MiB })));

    // An endless body is refused as soon as it passes the expected size, not read to the end.
    let produced = 0;
    const endless = new Readable({ read() { produced += 65_536; this.push(Buffer.alloc(65_536, 7)); } });
    await assert.rejects(attempt(endless), (err: unknown) => isAppError(err, 'CHUNK_SIZE_MISMATCH'));
    endless.destroy();
    assert.ok(produced < good.length + 8 * MiB, `read ${produced} bytes of an endless body`);

    assertSame(await readFile(fileOf(ref, 0)), before, 'stored chunk bytes');
    assert.deepEqual([...(await readTree(join(temp.dir, 'uploads', uploadId))).keys()], [`00000000-${sha256(good)}`]);
    assertSame(await readAll(await vault.open(ref)), good, 'content after failed rewrites');
    assert.equal(await vault.computeSha256(ref), sha256(good));
  });

  it('computes the sha256 in order, out of order, after a failed chunk and from a fresh instance', async () => {
    const chunkSize = 5000;
    const data = randomBytes(5 * chunkSize - 10);
    const expected = sha256(data);

    // In order: the kept hash answers without reading storage, so corrupting a chunk afterwards
    // only shows up on the recompute path of a fresh vault.
    const inOrder = await storeContent(smallVault, data, chunkSize);
    const bytes = await readFile(fileOf(inOrder, 2));
    bytes[10]! ^= 1;
    await writeFile(fileOf(inOrder, 2), bytes);
    await assert.rejects(freshVault().computeSha256(inOrder));
    assert.equal(await smallVault.computeSha256(inOrder), expected);

    const shuffled = await storeContent(smallVault, data, chunkSize, [3, 0, 4, 1, 2]);
    assert.equal(await smallVault.computeSha256(shuffled), expected);

    const retried = await storeContent(smallVault, data, chunkSize, [0, 1, 2, 3, 4]);
    const failedChunk = data.subarray(chunkSize, 2 * chunkSize);
    await assert.rejects(smallVault.writeChunk({
      uploadId: retried.uploadId, index: 1, wrappedKey: retried.wrappedKey, expectedSize: chunkSize,
      expectedSha256: sha256(failedChunk), body: chunked(randomBytes(chunkSize)),
    }));
    assert.equal(await smallVault.computeSha256(retried), expected);
    assert.equal(await freshVault().computeSha256(retried), expected);
  });

  it('stores a rewrite of a chunk with other bytes beside the chunk, never over it', async () => {
    // A late or hostile PUT to an index whose content was already verified (and maybe shared by
    // deduplication) must not change what the content reference reads.
    const chunkSize = 3000;
    const data = randomBytes(3 * chunkSize);
    const ref = await storeContent(smallVault, data, chunkSize);
    const intruder = randomBytes(chunkSize);
    const rewrite = { uploadId: ref.uploadId, index: 1, wrappedKey: ref.wrappedKey, expectedSize: chunkSize, expectedSha256: sha256(intruder) };
    await smallVault.writeChunk({ ...rewrite, body: chunked(intruder) });
    assertSame(await readAll(await freshVault().open(ref)), data, 'content after the rewrite');
    assert.equal(await freshVault().computeSha256(ref), sha256(data));
    // A reference naming the new bytes reads them: they are stored, under their own key.
    const rewritten = { ...ref, chunkSha256s: ref.chunkSha256s.map((s, i) => (i === 1 ? sha256(intruder) : s)) };
    assertSame(await readAll(await freshVault().open(rewritten, { start: chunkSize, end: 2 * chunkSize - 1 })), intruder, 'rewritten chunk');
    // discardChunk removes that version only.
    await smallVault.discardChunk(ref.uploadId, 1, sha256(intruder));
    await assert.rejects(freshVault().open(rewritten), (err: unknown) => isAppError(err, 'BLOB_NOT_FOUND'));
    assertSame(await readAll(await freshVault().open(ref)), data, 'content after discarding the rewrite');
    await assert.rejects(smallVault.discardChunk(ref.uploadId, 1, 'not-a-sha'), (err: unknown) => isAppError(err, 'VALIDATION_FAILED'));
  });

  it('reads chunks stored under index-only keys, as releases before content-named keys wrote them', async () => {
    const chunkSize = 3000;
    const data = randomBytes(2 * chunkSize + 10);
    const ref = await storeContent(smallVault, data, chunkSize);
    for (let index = 0; index < ref.chunkCount; index += 1) {
      await rename(fileOf(ref, index), join(temp.dir, ...legacyChunkKey(ref.uploadId, index).split('/')));
    }
    assertSame(await readAll(await freshVault().open(ref)), data, 'legacy layout');
    assertSame(await readAll(await freshVault().open(ref, { start: chunkSize - 5, end: chunkSize + 5 })), data.subarray(chunkSize - 5, chunkSize + 6), 'legacy range');
    assert.equal(await freshVault().computeSha256(ref), sha256(data));
    await smallVault.discard(ref.uploadId);
    assert.deepEqual([...(await readTree(join(temp.dir, 'uploads'))).keys()].filter((k) => k.startsWith(ref.uploadId)), []);
  });

  it('discards every chunk of an upload', async () => {
    const ref = await storeContent(smallVault, randomBytes(10_000), 3000);
    await blobs.put(chunkKey(ref.uploadId, 9, sha256(Buffer.from('stray'))), Readable.from([Buffer.from('stray')]));
    await smallVault.discard(ref.uploadId);
    const left = [];
    for await (const entry of blobs.list(`uploads/${ref.uploadId}/`)) left.push(entry);
    assert.deepEqual(left, []);
    await assert.rejects(smallVault.open(ref), (err: unknown) => isAppError(err, 'BLOB_NOT_FOUND'));
  });

  it('rejects unsafe upload ids and malformed inputs', async () => {
    const wrappedKey = await vault.createDataKey();
    const body = () => chunked(Buffer.from('x'));
    const base = { index: 0, wrappedKey, expectedSize: 1, expectedSha256: sha256(Buffer.from('x')) };
    await assert.rejects(vault.writeChunk({ ...base, uploadId: '../etc', body: body() }), (err: unknown) => isAppError(err, 'VALIDATION_FAILED'));
    await assert.rejects(vault.writeChunk({ ...base, uploadId: newUploadId(), index: -1, body: body() }), (err: unknown) => isAppError(err, 'VALIDATION_FAILED'));
    await assert.rejects(vault.writeChunk({ ...base, uploadId: newUploadId(), expectedSha256: 'abc', body: body() }), (err: unknown) => isAppError(err, 'VALIDATION_FAILED'));
    await assert.rejects(vault.writeChunk({ ...base, uploadId: newUploadId(), wrappedKey: 'garbage', body: body() }), (err: unknown) => isAppError(err, 'INTERNAL'));
  });
});
