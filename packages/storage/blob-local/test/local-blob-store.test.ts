import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chunked, describeBlobStoreContract, makeTempDir } from '@quarry/testing';
import { LocalBlobStore } from '../src/index.js';

describeBlobStoreContract('LocalBlobStore', async () => {
  const temp = await makeTempDir('quarry-blob-local');
  return { store: new LocalBlobStore(temp.dir), cleanup: temp.cleanup };
});

describe('LocalBlobStore on disk', () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  let store: LocalBlobStore;

  before(async () => {
    temp = await makeTempDir('quarry-blob-local-disk');
    store = new LocalBlobStore(temp.dir);
  });
  after(async () => temp.cleanup());

  it('leaves no temp files when a source errors', async () => {
    await store.put('t/keep', chunked(randomBytes(1000)));
    await assert.rejects(store.put('t/keep', chunked(randomBytes(2_000_000), { failAfter: 1_000_000 })));
    await assert.rejects(store.put('t/new', chunked(randomBytes(2_000_000), { failAfter: 500_000 })));
    assert.deepEqual(await readdir(join(temp.dir, 't')), ['keep']);
  });

  it('stores keys as nested files under the root and prunes emptied directories', async () => {
    await store.put('uploads/abc/00000001', chunked(Buffer.from('hello')));
    assert.deepEqual(await readdir(join(temp.dir, 'uploads', 'abc')), ['00000001']);
    await store.delete('uploads/abc/00000001');
    assert.equal((await readdir(temp.dir)).includes('uploads'), false);
  });
});
