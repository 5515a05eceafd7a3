import { it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isAppError } from '@quarry/core';
import { INLINE_CONTENT_MAX_BYTES, type RetrievalCommand } from '@quarry/protocol';
import { describeEachDialect } from '@quarry/testing';
import { ADMIN, bodyOf, createHarness, enrolEndpoint, hashesOf, sha256, type Harness } from './service-harness.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

async function blobFiles(h: Harness): Promise<string[]> {
  const entries = await readdir(join(h.dir, 'blobs'), { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  return entries.filter((d) => d.isFile()).map((d) => join(d.parentPath ?? d.path, d.name));
}

describeEachDialect('small files in one request (PUT file-ops/{id}/content)', (dialect) => {
  let h: Harness;
  let endpointId: string;
  let command: RetrievalCommand;
  let taskId: number;

  beforeEach(async () => {
    // A chunk size below the inline limit: such content must still be one chunk.
    h = await createHarness(dialect, { chunkSize: 1024 });
    endpointId = (await enrolEndpoint(h, 'inline-host')).endpointId;
    taskId = (await h.services.retrievals.create(ADMIN, { endpoints: [endpointId], paths: ['/data/a.bin', '/data/b.bin'] })).id;
    [command] = (await h.services.agentWork.claimCommands(endpointId, { resendInFlight: false })) as [RetrievalCommand];
  });
  afterEach(async () => {
    await h.close();
  });

  const putContent = (fileOpId: number, data: Buffer, overrides: { attempt?: number; sha256?: string; contentLength?: number; body?: Buffer; endpoint?: string } = {}) =>
    h.services.agentWork.putContent(overrides.endpoint ?? endpointId, {
      fileOpId,
      query: { attempt: overrides.attempt ?? 1, ...hashesOf(data), sha256: overrides.sha256 ?? sha256(data), mtimeMs: 1_700_000_000_000 },
      contentLength: overrides.contentLength ?? data.length,
      body: bodyOf(overrides.body ?? data),
    });

  it('stores and verifies the file, settles a dispatched subtask without started, and dedups a repeat', async () => {
    const data = randomBytes(5000);
    const [a, b] = command.files;

    assert.deepEqual(await putContent(a!.fileOpId, data), { fileId: a!.fileOpId, deduplicated: false });
    const mid = await h.services.retrievals.getSubtask(command.subtaskId);
    assert.equal(mid.state, 'running', 'one file of two: the report shows the attempt runs; not settled yet');
    assert.equal(mid.startedAt, new Date(h.clock.now().getTime()).toISOString());
    assert.deepEqual(await putContent(b!.fileOpId, data), { fileId: b!.fileOpId, deduplicated: true });

    const subtask = await h.services.retrievals.getSubtask(command.subtaskId);
    assert.equal(subtask.state, 'succeeded');
    assert.deepEqual(subtask.files.map((f) => f.state), ['succeeded', 'succeeded']);
    assert.equal(subtask.bytesDone, 10_000);
    const file = await h.services.files.get(a!.fileOpId);
    assert.deepEqual([file.size, file.sha256, file.md5, file.sha1, file.name, file.hostname], [5000, sha256(data), hashesOf(data).md5, hashesOf(data).sha1, 'a.bin', 'inline-host']);
    assert.equal(file.mtime, new Date(1_700_000_000_000).toISOString());
    const { content } = await h.services.files.contentOf(b!.fileOpId);
    assert.deepEqual(await readAll(await h.vault.open(content)), data);
    assert.deepEqual(await readAll(await h.vault.open(content, { start: 1000, end: 3999 })), data.subarray(1000, 4000));
    assert.equal((await blobFiles(h)).length, 1, 'the dedup hit stored nothing');
    assert.equal((await h.services.retrievals.get(taskId, {})).status, 'succeeded');
    // A retried request after success is acknowledged, not an error.
    assert.deepEqual(await putContent(a!.fileOpId, data), { fileId: a!.fileOpId, deduplicated: true });
  });

  it('refuses bytes that do not match their sha256 or length and keeps nothing', async () => {
    const data = randomBytes(3000);
    const fileOpId = command.files[0]!.fileOpId;
    await assert.rejects(putContent(fileOpId, data, { body: randomBytes(3000) }), (e) => isAppError(e, 'CHUNK_HASH_MISMATCH'));
    await assert.rejects(putContent(fileOpId, data, { body: data.subarray(0, 2000) }), (e) => isAppError(e, 'CHUNK_SIZE_MISMATCH'));
    await assert.rejects(putContent(fileOpId, data, { contentLength: INLINE_CONTENT_MAX_BYTES + 1 }), (e) => isAppError(e, 'BODY_TOO_LARGE'));

    const subtask = await h.services.retrievals.getSubtask(command.subtaskId);
    assert.deepEqual(subtask.files.map((f) => f.state), ['pending', 'pending']);
    assert.deepEqual(await blobFiles(h), []);
    assert.equal(await h.store.uploads.getContent(sha256(data)), null);
    // The agent's resend of the right bytes succeeds.
    assert.equal((await putContent(fileOpId, data)).deduplicated, false);
  });

  it('handles an empty file and supersedes a chunked upload an earlier try left open', async () => {
    const [a, b] = command.files;
    const big = randomBytes(2500);
    const up = await h.services.agentWork.begin(endpointId, a!.fileOpId, { attempt: 1, size: big.length, mtimeMs: null, sha256: sha256(big) });
    if (up.action !== 'upload') throw new Error('expected upload');
    const small = randomBytes(700);

    await putContent(a!.fileOpId, small);
    await putContent(b!.fileOpId, Buffer.alloc(0));

    assert.equal((await h.store.uploads.get(up.uploadId))?.state, 'discarded');
    const empty = await h.services.files.contentOf(b!.fileOpId);
    assert.equal(empty.content.size, 0);
    assert.deepEqual(await readAll(await h.vault.open(empty.content)), Buffer.alloc(0));
    assert.deepEqual(await readAll(await h.vault.open((await h.services.files.contentOf(a!.fileOpId)).content)), small);
    assert.equal((await h.services.retrievals.getSubtask(command.subtaskId)).state, 'succeeded');
  });

  it('rejects other endpoints, stale attempts and ended subtasks', async () => {
    const data = randomBytes(10);
    const fileOpId = command.files[0]!.fileOpId;
    const other = await enrolEndpoint(h);
    await assert.rejects(putContent(fileOpId, data, { endpoint: other.endpointId }), (e) => isAppError(e, 'NOT_FOUND'));
    await assert.rejects(putContent(fileOpId, data, { attempt: 2 }), (e) => isAppError(e, 'SUBTASK_NOT_ACTIVE'));
    await h.services.retrievals.cancel(ADMIN, taskId);
    await assert.rejects(putContent(fileOpId, data), (e) => isAppError(e, 'SUBTASK_NOT_ACTIVE'));
    assert.deepEqual(await blobFiles(h), []);
  });
});
