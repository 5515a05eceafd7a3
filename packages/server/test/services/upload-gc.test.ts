import { it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ABANDONED_UPLOAD_GRACE_MS, isAppError } from '@quarry/core';
import type { RetrievalCommand } from '@quarry/protocol';
import { describeEachDialect } from '@quarry/testing';
import { ADMIN, bodyOf, createHarness, enrolEndpoint, hashesOf, sha256, type Harness } from './service-harness.js';

const CHUNK = 1024;
const GRACE_SECONDS = ABANDONED_UPLOAD_GRACE_MS / 1000;

describeEachDialect('abandoned uploads are collected', (dialect) => {
  let h: Harness;
  let endpointId: string;
  let command: RetrievalCommand;
  let taskId: number;

  beforeEach(async () => {
    h = await createHarness(dialect, { chunkSize: CHUNK });
    endpointId = (await enrolEndpoint(h, 'gc-host')).endpointId;
    taskId = (await h.services.retrievals.create(ADMIN, { endpoints: [endpointId], paths: ['/data/a.bin', '/data/b.bin'] })).id;
    [command] = (await h.services.agentWork.claimCommands(endpointId, { resendInFlight: false })) as [RetrievalCommand];
    await h.services.agentWork.started(endpointId, command.subtaskId, 1);
  });
  afterEach(async () => {
    await h.close();
  });

  const chunkOf = (data: Buffer, index: number): Buffer => data.subarray(index * CHUNK, Math.min(data.length, (index + 1) * CHUNK));
  const put = (uploadId: string, data: Buffer, index: number) =>
    h.services.agentWork.putChunk(endpointId, { uploadId, index, sha256: sha256(chunkOf(data, index)), contentLength: chunkOf(data, index).length, body: bodyOf(chunkOf(data, index)) });
  const begin = async (fileOpId: number, data: Buffer): Promise<string> => {
    const r = await h.services.agentWork.begin(endpointId, fileOpId, { attempt: 1, size: data.length, mtimeMs: null, sha256: sha256(data) });
    if (r.action !== 'upload') throw new Error('expected an upload');
    return r.uploadId;
  };
  /** Chunk blobs of an upload still in the blob store. */
  const chunksOf = async (uploadId: string): Promise<string[]> =>
    (await readdir(join(h.dir, 'blobs'), { recursive: true })).map(String).filter((p) => p.includes(`${uploadId}/`));

  /** A chunk PUT that is past its checks and streaming its first bytes into the vault; `finish` sends the rest. */
  const startStreamingPut = async (uploadId: string, data: Buffer, index: number) => {
    const body = new PassThrough();
    const chunk = chunkOf(data, index);
    const pending = h.services.agentWork.putChunk(endpointId, { uploadId, index, sha256: sha256(chunk), contentLength: chunk.length, body });
    pending.catch(() => undefined);
    body.write(chunk.subarray(0, 100));
    const until = Date.now() + 5000;
    while (body.readableLength > 0) {
      if (Date.now() > until) throw new Error('the vault never read the chunk body');
      await new Promise((r) => setImmediate(r));
    }
    return { pending, finish: () => body.end(chunk.subarray(100)) };
  };

  it('deletes the chunks of a half-uploaded file once its cancelled subtask is past the grace, and keeps finished content', async () => {
    const kept = randomBytes(CHUNK + 10);
    const half = randomBytes(3 * CHUNK);
    const keptUpload = await begin(command.files[0]!.fileOpId, kept);
    await put(keptUpload, kept, 0);
    await put(keptUpload, kept, 1);
    const done = await h.services.agentWork.complete(endpointId, keptUpload, hashesOf(kept));
    const halfUpload = await begin(command.files[1]!.fileOpId, half);
    await put(halfUpload, half, 0);
    await put(halfUpload, half, 1);
    await h.services.retrievals.cancel(ADMIN, taskId);

    h.clock.advance(GRACE_SECONDS - 1);
    await h.services.engine.tick();
    assert.equal((await h.store.uploads.get(halfUpload))?.state, 'open', 'within the grace the upload is left alone');
    assert.equal((await chunksOf(halfUpload)).length, 2);

    h.clock.advance(2);
    const tick = await h.services.engine.tick();

    assert.equal(tick.uploadsDiscarded, 1);
    assert.equal((await h.store.uploads.get(halfUpload))?.state, 'discarded');
    assert.deepEqual(await chunksOf(halfUpload), []);
    assert.equal((await h.services.engine.tick()).uploadsDiscarded, 0, 'a second tick finds nothing');
    assert.equal((await h.store.uploads.get(keptUpload))?.state, 'completed');
    assert.equal((await chunksOf(keptUpload)).length, 2, 'verified content keeps its chunks');
    const { content } = await h.services.files.contentOf(done.fileId);
    const parts: Buffer[] = [];
    for await (const p of await h.vault.open(content)) parts.push(p as Buffer);
    assert.deepEqual(Buffer.concat(parts), kept);
  });

  it('keeps a partial upload while a retry can still resume it', async () => {
    const data = randomBytes(3 * CHUNK);
    const uploadId = await begin(command.files[0]!.fileOpId, data);
    await put(uploadId, data, 0);
    await h.services.agentWork.fail(endpointId, command.files[0]!.fileOpId, { attempt: 1, code: 'IO_ERROR', message: 'disk hiccup' });
    await h.services.agentWork.fail(endpointId, command.files[1]!.fileOpId, { attempt: 1, code: 'IO_ERROR', message: 'disk hiccup' });
    assert.equal((await h.services.retrievals.getSubtask(command.subtaskId)).state, 'queued');

    h.clock.advance(GRACE_SECONDS + 60);
    const tick = await h.services.engine.tick();

    assert.equal(tick.uploadsDiscarded, 0);
    assert.equal((await h.store.uploads.get(uploadId))?.state, 'open');
    assert.equal((await chunksOf(uploadId)).length, 1);
  });

  it('a chunk still streaming when its upload is collected deletes itself', async () => {
    const data = randomBytes(3 * CHUNK);
    const uploadId = await begin(command.files[0]!.fileOpId, data);
    await put(uploadId, data, 0);
    // Once the vault has taken the first bytes the PUT is past its checks and streaming: cancel
    // the task and let the collector run.
    const late = await startStreamingPut(uploadId, data, 1);
    await h.services.retrievals.cancel(ADMIN, taskId);
    h.clock.advance(GRACE_SECONDS + 1);
    assert.equal((await h.services.engine.tick()).uploadsDiscarded, 1);
    late.finish();

    await assert.rejects(late.pending, (e) => isAppError(e, 'UPLOAD_NOT_FOUND'));
    assert.deepEqual(await chunksOf(uploadId), []);
  });

  it('a retried chunk that lands after its upload completed leaves the content intact', async () => {
    const data = randomBytes(2 * CHUNK);
    const uploadId = await begin(command.files[0]!.fileOpId, data);
    await put(uploadId, data, 0);
    // The first try of chunk 1 is past its checks and streaming (its client gave up waiting) ...
    const slow = await startStreamingPut(uploadId, data, 1);
    // ... while the retry stores the chunk and the agent completes the upload.
    await put(uploadId, data, 1);
    const done = await h.services.agentWork.complete(endpointId, uploadId, hashesOf(data));
    slow.finish();

    await assert.rejects(slow.pending, (e) => isAppError(e, 'UPLOAD_NOT_FOUND'));
    assert.equal((await h.store.uploads.get(uploadId))?.state, 'completed');
    assert.equal((await chunksOf(uploadId)).length, 2);
    const { content } = await h.services.files.contentOf(done.fileId);
    const parts: Buffer[] = [];
    for await (const p of await h.vault.open(content)) parts.push(p as Buffer);
    assert.deepEqual(Buffer.concat(parts), data);
  });
});
