import { it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { isAppError } from '@quarry/core';
import type { RetrievalCommand } from '@quarry/protocol';
import { describeEachDialect } from '@quarry/testing';
import { ADMIN, bodyOf, createHarness, enrolEndpoint, hashesOf, sha256, type Harness } from './service-harness.js';

const CHUNK = 1024;

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

function chunkOf(data: Buffer, index: number): Buffer {
  return data.subarray(index * CHUNK, Math.min(data.length, (index + 1) * CHUNK));
}

describeEachDialect('upload path: begin, chunks, complete', (dialect) => {
  let h: Harness;
  let endpointId: string;
  let command: RetrievalCommand;
  let taskId: number;

  beforeEach(async () => {
    h = await createHarness(dialect, { chunkSize: CHUNK });
    endpointId = (await enrolEndpoint(h, 'files-host')).endpointId;
    taskId = (await h.services.retrievals.create(ADMIN, { endpoints: [endpointId], paths: ['/data/a.bin', '/data/b.bin'] })).id;
    [command] = (await h.services.agentWork.claimCommands(endpointId, { resendInFlight: false })) as [RetrievalCommand];
    await h.services.agentWork.started(endpointId, command.subtaskId, 1);
  });
  afterEach(async () => {
    await h.close();
  });

  const put = (uploadId: string, data: Buffer, index: number, overrides: { sha256?: string; contentLength?: number; body?: Buffer } = {}) => {
    const chunk = chunkOf(data, index);
    return h.services.agentWork.putChunk(endpointId, {
      uploadId,
      index,
      sha256: overrides.sha256 ?? sha256(chunk),
      contentLength: overrides.contentLength ?? chunk.length,
      body: bodyOf(overrides.body ?? chunk),
    });
  };

  it('uploads in chunks, resumes with receivedChunks, verifies and dedups the same content', async () => {
    const data = randomBytes(2500);
    const [a, b] = command.files;
    const begin = { attempt: 1, size: data.length, mtimeMs: 1_700_000_000_000, sha256: sha256(data) };

    const first = await h.services.agentWork.begin(endpointId, a!.fileOpId, begin);
    assert.equal(first.action, 'upload');
    if (first.action !== 'upload') return;
    assert.deepEqual([first.chunkSize, first.chunkCount, first.receivedChunks], [CHUNK, 3, []]);
    assert.equal((await h.services.retrievals.getSubtask(command.subtaskId)).state, 'uploading');
    assert.deepEqual(await put(first.uploadId, data, 0), { index: 0, duplicate: false });
    await put(first.uploadId, data, 1);

    const resumed = await h.services.agentWork.begin(endpointId, a!.fileOpId, begin);
    assert.deepEqual(resumed, { ...first, receivedChunks: [0, 1] });
    assert.deepEqual(await put(first.uploadId, data, 0), { index: 0, duplicate: true });
    await assert.rejects(
      h.services.agentWork.complete(endpointId, first.uploadId, hashesOf(data)),
      (e) => isAppError(e, 'UPLOAD_INCOMPLETE') && JSON.stringify(e.details?.missing) === '[2]',
    );
    await put(first.uploadId, data, 2);
    const done = await h.services.agentWork.complete(endpointId, first.uploadId, hashesOf(data));

    assert.equal(done.fileId, a!.fileOpId);
    const file = await h.services.files.get(done.fileId);
    assert.deepEqual([file.size, file.sha256, file.md5, file.sha1, file.name, file.hostname], [2500, sha256(data), hashesOf(data).md5, hashesOf(data).sha1, 'a.bin', 'files-host']);
    assert.equal(file.mtime, new Date(1_700_000_000_000).toISOString());
    const { content } = await h.services.files.contentOf(done.fileId);
    assert.deepEqual(await readAll(await h.vault.open(content)), data);

    const skip = await h.services.agentWork.begin(endpointId, b!.fileOpId, begin);

    assert.deepEqual(skip, { action: 'skip', fileId: b!.fileOpId });
    const subtask = await h.services.retrievals.getSubtask(command.subtaskId);
    assert.equal(subtask.state, 'succeeded');
    assert.equal(subtask.bytesDone, 5000);
    assert.equal((await h.services.retrievals.getTask(taskId)).status, 'succeeded');
    const byHash = await h.services.files.list({ hash: hashesOf(data).md5.toUpperCase() });
    assert.deepEqual(byHash.items.map((f) => f.id).sort(), [a!.fileOpId, b!.fileOpId].sort());
    assert.equal((await h.services.files.list({ taskId })).items.length, 2);
    assert.ok(h.events.some((e) => e.type === 'progress' && e.subtaskId === command.subtaskId));
    assert.ok(h.events.some((e) => e.type === 'task' && e.status === 'succeeded'));
  });

  it('lets the agent hash while uploading when nothing held has the size, and verifies the sha256 it declares at complete', async () => {
    const data = randomBytes(2500);
    const [a, b] = command.files;
    const facts = { attempt: 1, size: data.length, mtimeMs: null };
    const plan = await h.services.agentWork.begin(endpointId, a!.fileOpId, facts);
    if (plan.action !== 'upload') throw new Error(`expected an upload plan, got ${plan.action}`);
    assert.equal((await h.store.uploads.get(plan.uploadId))?.sha256, null);
    for (const i of [0, 1, 2]) await put(plan.uploadId, data, i);
    const done = await h.services.agentWork.complete(endpointId, plan.uploadId, hashesOf(data));
    assert.equal((await h.services.files.get(done.fileId)).sha256, sha256(data));
    const { content } = await h.services.files.contentOf(done.fileId);
    assert.deepEqual(await readAll(await h.vault.open(content)), data);

    // Now content of that size is held: the next file of the same size must be hashed first,
    // and is then deduplicated instead of uploaded.
    assert.deepEqual(await h.services.agentWork.begin(endpointId, b!.fileOpId, facts), { action: 'hash' });
    assert.deepEqual(await h.services.agentWork.begin(endpointId, b!.fileOpId, { ...facts, sha256: sha256(data) }), { action: 'skip', fileId: b!.fileOpId });
  });

  it('fails a file begun without a sha256 whose stored bytes do not match the one declared at complete', async () => {
    const data = randomBytes(1500);
    const plan = await h.services.agentWork.begin(endpointId, command.files[0]!.fileOpId, { attempt: 1, size: data.length, mtimeMs: null });
    if (plan.action !== 'upload') throw new Error('expected upload');
    await put(plan.uploadId, data, 0);
    await put(plan.uploadId, data, 1);
    const other = randomBytes(1500);
    await assert.rejects(h.services.agentWork.complete(endpointId, plan.uploadId, hashesOf(other)), (e) => isAppError(e, 'FILE_HASH_MISMATCH'));
    const s = await h.services.retrievals.getSubtask(command.subtaskId);
    assert.equal(s.files[0]?.failureCode, 'HASH_MISMATCH');
    assert.equal(await h.store.uploads.getContent(sha256(other)), null);
  });

  it('resumes an upload begun without a sha256 once the agent has hashed the file', async () => {
    const data = randomBytes(2500);
    const fileOpId = command.files[0]!.fileOpId;
    const facts = { attempt: 1, size: data.length, mtimeMs: null };
    const first = await h.services.agentWork.begin(endpointId, fileOpId, facts);
    if (first.action !== 'upload') throw new Error('expected upload');
    await put(first.uploadId, data, 0);
    // The agent restarted: there is an upload to resume, so it must hash first (to check the
    // file against what was sent), and then resumes the same upload.
    assert.deepEqual(await h.services.agentWork.begin(endpointId, fileOpId, facts), { action: 'hash' });
    const resumed = await h.services.agentWork.begin(endpointId, fileOpId, { ...facts, sha256: sha256(data) });
    assert.deepEqual(resumed, { ...first, receivedChunks: [0] });
    assert.equal((await h.store.uploads.get(first.uploadId))?.sha256, sha256(data));
    await put(first.uploadId, data, 1);
    await put(first.uploadId, data, 2);
    // Declared at begin now, so a different final hash is a changed file.
    await assert.rejects(h.services.agentWork.complete(endpointId, first.uploadId, hashesOf(randomBytes(2500))), (e) => isAppError(e, 'FILE_HASH_MISMATCH'));
    assert.equal((await h.services.retrievals.getSubtask(command.subtaskId)).files[0]?.failureCode, 'CHANGED_WHILE_READING');
  });

  it('refuses chunks of the wrong index, size or hash and keeps the good copy', async () => {
    const data = randomBytes(2100);
    const up = await h.services.agentWork.begin(endpointId, command.files[0]!.fileOpId, { attempt: 1, size: data.length, mtimeMs: null, sha256: sha256(data) });
    assert.equal(up.action, 'upload');
    if (up.action !== 'upload') return;

    await assert.rejects(put(up.uploadId, data, 3), (e) => isAppError(e, 'CHUNK_OUT_OF_RANGE'));
    await assert.rejects(put(up.uploadId, data, 2, { contentLength: 100 }), (e) => isAppError(e, 'CHUNK_SIZE_MISMATCH') && e.details?.expected === 52 && e.details?.actual === 100);
    await assert.rejects(put(up.uploadId, data, 2, { body: Buffer.alloc(40) }), (e) => isAppError(e, 'CHUNK_SIZE_MISMATCH'));
    await assert.rejects(put(up.uploadId, data, 1, { sha256: sha256(Buffer.from('other')) }), (e) => isAppError(e, 'CHUNK_HASH_MISMATCH'));
    await put(up.uploadId, data, 0);
    await put(up.uploadId, data, 1);
    await put(up.uploadId, data, 2);
    const other = await enrolEndpoint(h);
    await assert.rejects(
      h.services.agentWork.putChunk(other.endpointId, { uploadId: up.uploadId, index: 0, sha256: sha256(chunkOf(data, 0)), contentLength: CHUNK, body: bodyOf(chunkOf(data, 0)) }),
      (e) => isAppError(e, 'UPLOAD_NOT_FOUND'),
    );

    const done = await h.services.agentWork.complete(endpointId, up.uploadId, hashesOf(data));

    const { content } = await h.services.files.contentOf(done.fileId);
    assert.deepEqual(await readAll(await h.vault.open(content)), data);
    assert.deepEqual(await h.services.agentWork.complete(endpointId, up.uploadId, hashesOf(data)), done);
  });

  it('keeps the verified content when a rewrite of one of its chunks finishes after the upload completed', async () => {
    // The race a hostile agent could run: a PUT passes the "upload is open" check, completion
    // verifies and commits the content, then the PUT's bytes land. They must not replace the
    // verified chunk (deduplication may already share it with other endpoints).
    const data = randomBytes(2 * CHUNK);
    const up = await h.services.agentWork.begin(endpointId, command.files[0]!.fileOpId, { attempt: 1, size: data.length, mtimeMs: null, sha256: sha256(data) });
    if (up.action !== 'upload') throw new Error('expected upload');
    await put(up.uploadId, data, 0);
    await put(up.uploadId, data, 1);
    const intruder = randomBytes(CHUNK);
    const slow = new PassThrough();
    slow.write(intruder.subarray(0, 100));
    const late = h.services.agentWork.putChunk(endpointId, { uploadId: up.uploadId, index: 0, sha256: sha256(intruder), contentLength: CHUNK, body: slow });
    late.catch(() => undefined);
    // Streaming into storage once the body is being consumed.
    for (let i = 0; i < 1000 && slow.readableFlowing !== true; i += 1) await new Promise((r) => setImmediate(r));
    assert.equal(slow.readableFlowing, true, 'the rewrite never started streaming');

    const done = await h.services.agentWork.complete(endpointId, up.uploadId, hashesOf(data));
    slow.end(intruder.subarray(100));
    await assert.rejects(late, (e) => isAppError(e, 'UPLOAD_NOT_FOUND'));

    const { content } = await h.services.files.contentOf(done.fileId);
    assert.deepEqual(await readAll(await h.vault.open(content)), data);
    const blobs = await readdir(join(h.dir, 'blobs'), { recursive: true });
    assert.ok(!blobs.some((p) => String(p).includes(sha256(intruder))), 'the late bytes are deleted');
    assert.ok(blobs.some((p) => String(p).includes(sha256(chunkOf(data, 0)))), 'the verified chunk stays');
  });

  it('makes completion wait while a chunk is being recorded, and refuses it when that replaced a verified chunk', async (t) => {
    if (dialect === 'sqlite') {
      t.skip('SQLite runs one transaction at a time: nothing can be recorded while a completion runs');
      return;
    }
    const data = randomBytes(2 * CHUNK);
    const up = await h.services.agentWork.begin(endpointId, command.files[0]!.fileOpId, { attempt: 1, size: data.length, mtimeMs: null, sha256: sha256(data) });
    if (up.action !== 'upload') throw new Error('expected upload');
    await put(up.uploadId, data, 0);
    await put(up.uploadId, data, 1);
    // What put-chunk's transaction does for a rewrite of chunk 1, held open at its end.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const recording = h.store.transaction(async (tx) => {
      assert.ok(await tx.uploads.setState(up.uploadId, 'open', 'open'));
      await tx.uploads.putChunk({ uploadId: up.uploadId, idx: 1, size: CHUNK, sha256: sha256(randomBytes(CHUNK)) });
      locked();
      await held;
    });
    await isLocked;
    const completing = h.services.agentWork.complete(endpointId, up.uploadId, hashesOf(data));
    completing.catch(() => undefined);
    // Completion verifies the chunks it can see (the committed ones), then waits for the lock.
    await new Promise((r) => setTimeout(r, 500));
    release();
    await recording;
    await assert.rejects(completing, (e) => isAppError(e, 'UPLOAD_CHANGED'));
    assert.equal((await h.store.uploads.get(up.uploadId))?.state, 'open');
  });

  it('deletes the replaced version when an open upload gets a chunk again with other bytes', async () => {
    const v1 = randomBytes(CHUNK);
    const v2 = randomBytes(CHUNK);
    const up = await h.services.agentWork.begin(endpointId, command.files[0]!.fileOpId, { attempt: 1, size: CHUNK, mtimeMs: null, sha256: sha256(v2) });
    if (up.action !== 'upload') throw new Error('expected upload');
    await put(up.uploadId, v1, 0);
    await put(up.uploadId, v2, 0);
    const blobs = (await readdir(join(h.dir, 'blobs'), { recursive: true })).map(String);
    assert.ok(!blobs.some((p) => p.includes(sha256(v1))), 'the replaced version is deleted');
    const done = await h.services.agentWork.complete(endpointId, up.uploadId, hashesOf(v2));
    const { content } = await h.services.files.contentOf(done.fileId);
    assert.deepEqual(await readAll(await h.vault.open(content)), v2);
  });

  it('fails the file on a whole-file hash mismatch, discards the upload and retries the subtask', async () => {
    const declared = randomBytes(1500);
    const actual = randomBytes(1500);
    const fileOpId = command.files[0]!.fileOpId;
    const up = await h.services.agentWork.begin(endpointId, fileOpId, { attempt: 1, size: 1500, mtimeMs: null, sha256: sha256(declared) });
    if (up.action !== 'upload') throw new Error('expected upload');
    await put(up.uploadId, actual, 0);
    await put(up.uploadId, actual, 1);

    await assert.rejects(h.services.agentWork.complete(endpointId, up.uploadId, hashesOf(declared)), (e) => isAppError(e, 'FILE_HASH_MISMATCH'));

    const subtask = await h.services.retrievals.getSubtask(command.subtaskId);
    assert.equal(subtask.files.find((f) => f.id === fileOpId)?.state, 'failed');
    assert.equal(subtask.files.find((f) => f.id === fileOpId)?.failureCode, 'HASH_MISMATCH');
    assert.equal((await h.store.uploads.get(up.uploadId))?.state, 'discarded');
    await assert.rejects(put(up.uploadId, actual, 0), (e) => isAppError(e, 'UPLOAD_NOT_FOUND'));
    await h.services.agentWork.fail(endpointId, command.files[1]!.fileOpId, { attempt: 1, code: 'NOT_FOUND', message: 'gone' });
    const after = await h.services.retrievals.getSubtask(command.subtaskId);
    assert.equal(after.state, 'queued');
    assert.equal(after.failureCode, 'HASH_MISMATCH');
    assert.deepEqual(after.files.map((f) => f.state), ['pending', 'failed']);
    const blobs = await readdir(join(h.dir, 'blobs'), { recursive: true });
    assert.ok(!blobs.some((p) => String(p).includes(`${up.uploadId}/`)), 'discarded chunks are deleted');
  });

  it('fails with CHANGED_WHILE_READING when the final hash differs from the declared one', async () => {
    const data = randomBytes(10);
    const up = await h.services.agentWork.begin(endpointId, command.files[0]!.fileOpId, { attempt: 1, size: 10, mtimeMs: null, sha256: sha256(data) });
    if (up.action !== 'upload') throw new Error('expected upload');
    await put(up.uploadId, data, 0);

    await assert.rejects(h.services.agentWork.complete(endpointId, up.uploadId, hashesOf(randomBytes(10))), (e) => isAppError(e, 'FILE_HASH_MISMATCH'));

    const s = await h.services.retrievals.getSubtask(command.subtaskId);
    assert.equal(s.files[0]?.failureCode, 'CHANGED_WHILE_READING');
  });

  it('starts a new upload when the file changed between begins, and handles empty files', async () => {
    const v1 = randomBytes(1500);
    const v2 = randomBytes(900);
    const [a, b] = command.files;
    const u1 = await h.services.agentWork.begin(endpointId, a!.fileOpId, { attempt: 1, size: v1.length, mtimeMs: null, sha256: sha256(v1) });
    if (u1.action !== 'upload') throw new Error('expected upload');
    await put(u1.uploadId, v1, 0);

    const u2 = await h.services.agentWork.begin(endpointId, a!.fileOpId, { attempt: 1, size: v2.length, mtimeMs: null, sha256: sha256(v2) });

    if (u2.action !== 'upload') throw new Error('expected upload');
    assert.notEqual(u2.uploadId, u1.uploadId);
    assert.deepEqual([u2.chunkCount, u2.receivedChunks], [1, []]);
    assert.equal((await h.store.uploads.get(u1.uploadId))?.state, 'discarded');
    await put(u2.uploadId, v2, 0);
    await h.services.agentWork.complete(endpointId, u2.uploadId, hashesOf(v2));

    const empty = Buffer.alloc(0);
    const ue = await h.services.agentWork.begin(endpointId, b!.fileOpId, { attempt: 1, size: 0, mtimeMs: null, sha256: sha256(empty) });
    if (ue.action !== 'upload') throw new Error('expected upload');
    assert.equal(ue.chunkCount, 0);
    const done = await h.services.agentWork.complete(endpointId, ue.uploadId, hashesOf(empty));
    assert.equal((await h.services.files.get(done.fileId)).size, 0);
    assert.equal((await h.services.retrievals.getSubtask(command.subtaskId)).state, 'succeeded');
  });

  it('keeps one content row when two uploads of the same bytes complete', async () => {
    const data = randomBytes(1200);
    const [a, b] = command.files;
    const begin = { attempt: 1, size: data.length, mtimeMs: null, sha256: sha256(data) };
    const ua = await h.services.agentWork.begin(endpointId, a!.fileOpId, begin);
    const ub = await h.services.agentWork.begin(endpointId, b!.fileOpId, begin);
    if (ua.action !== 'upload' || ub.action !== 'upload') throw new Error('expected two uploads');
    for (const u of [ua, ub]) for (const i of [0, 1]) await put(u.uploadId, data, i);

    await h.services.agentWork.complete(endpointId, ua.uploadId, hashesOf(data));
    await h.services.agentWork.complete(endpointId, ub.uploadId, hashesOf(data));

    assert.equal((await h.store.uploads.getContent(sha256(data)))?.uploadId, ua.uploadId);
    assert.equal((await h.store.uploads.get(ub.uploadId))?.state, 'discarded');
    const { content } = await h.services.files.contentOf(b!.fileOpId);
    assert.deepEqual(await readAll(await h.vault.open(content)), data);
    assert.equal((await h.services.files.list({ endpointId: 'files-host' })).items.length, 2);
  });

  it('resumes the same upload on the next attempt after the agent went silent', async () => {
    const data = randomBytes(2048);
    const fileOpId = command.files[0]!.fileOpId;
    const begin = { attempt: 1, size: data.length, mtimeMs: null, sha256: sha256(data) };
    const u1 = await h.services.agentWork.begin(endpointId, fileOpId, begin);
    if (u1.action !== 'upload') throw new Error('expected upload');
    await put(u1.uploadId, data, 0);
    h.clock.advance(121);
    assert.equal((await h.services.engine.tick()).retried, 1);
    await assert.rejects(put(u1.uploadId, data, 1), (e) => isAppError(e, 'SUBTASK_NOT_ACTIVE'));
    h.clock.advance(15);

    const [next] = await h.services.agentWork.claimCommands(endpointId, { resendInFlight: false });
    const u2 = await h.services.agentWork.begin(endpointId, fileOpId, { ...begin, attempt: 2 });

    assert.equal(next?.attempt, 2);
    assert.deepEqual(next?.files.map((f) => f.fileOpId), command.files.map((f) => f.fileOpId));
    assert.deepEqual(u2, { ...u1, receivedChunks: [0] });
  });

  it('rejects reports for stale attempts and other endpoints', async () => {
    const data = randomBytes(10);
    const fileOpId = command.files[0]!.fileOpId;
    await assert.rejects(h.services.agentWork.begin(endpointId, fileOpId, { attempt: 2, size: 10, mtimeMs: null, sha256: sha256(data) }), (e) => isAppError(e, 'SUBTASK_NOT_ACTIVE'));
    const other = await enrolEndpoint(h);
    await assert.rejects(h.services.agentWork.begin(other.endpointId, fileOpId, { attempt: 1, size: 10, mtimeMs: null, sha256: sha256(data) }), (e) => isAppError(e, 'NOT_FOUND'));
    await h.services.retrievals.cancel(ADMIN, taskId);
    await assert.rejects(h.services.agentWork.begin(endpointId, fileOpId, { attempt: 1, size: 10, mtimeMs: null, sha256: sha256(data) }), (e) => isAppError(e, 'SUBTASK_NOT_ACTIVE'));
  });
});

describeEachDialect('download links', (dialect) => {
  let h: Harness;
  let fileId: number;
  let data: Buffer;

  beforeEach(async () => {
    h = await createHarness(dialect, { chunkSize: CHUNK });
    const { endpointId } = await enrolEndpoint(h, 'dl-host');
    await h.services.retrievals.create(ADMIN, { endpoints: [endpointId], paths: ['C:\\Users\\x\\report.docx'] });
    const [command] = await h.services.agentWork.claimCommands(endpointId, { resendInFlight: false });
    data = randomBytes(700);
    const up = await h.services.agentWork.begin(endpointId, command!.files[0]!.fileOpId, { attempt: 1, size: 700, mtimeMs: null, sha256: sha256(data) });
    if (up.action !== 'upload') throw new Error('expected upload');
    await h.services.agentWork.putChunk(endpointId, { uploadId: up.uploadId, index: 0, sha256: sha256(data), contentLength: 700, body: bodyOf(data) });
    fileId = (await h.services.agentWork.complete(endpointId, up.uploadId, hashesOf(data))).fileId;
  });
  afterEach(async () => {
    await h.close();
  });

  it('signs a raw link that opens until it expires, auditing each download', async () => {
    const link = await h.services.files.createLink(ADMIN, fileId, { ttlSeconds: 60 }, 'https://quarry.example/');
    const token = link.path.slice('/api/v1/downloads/'.length);
    assert.equal(link.url, `https://quarry.example${link.path}`);
    assert.equal(link.fileName, 'report.docx');
    assert.equal(link.password, undefined);

    const opened = await h.services.files.openLink(token, '192.0.2.1');

    assert.equal(opened.format, 'raw');
    assert.equal(opened.password, null);
    assert.deepEqual(await readAll(await h.vault.open(opened.content)), data);
    const audit = await h.services.audit.list({ action: 'file.download' });
    assert.deepEqual([audit.items[0]?.actorType, audit.items[0]?.ip, audit.items[0]?.targetId], ['link', '192.0.2.1', String(fileId)]);
    const [id, exp, sig] = token.split('.');
    await assert.rejects(h.services.files.openLink(`${id}.${Number(exp) + 1000}.${sig}`, null), (e) => isAppError(e, 'LINK_INVALID'));
    const forged = (sig!.startsWith('A') ? 'B' : 'A') + sig!.slice(1);
    await assert.rejects(h.services.files.openLink(`${id}.${exp}.${forged}`, null), (e) => isAppError(e, 'LINK_INVALID'));
    await assert.rejects(h.services.files.openLink('garbage', null), (e) => isAppError(e, 'LINK_INVALID'));
    h.clock.advance(60);
    await assert.rejects(h.services.files.openLink(token, null), (e) => isAppError(e, 'LINK_EXPIRED'));
  });

  it('generates a zip password, seals it, and caps the lifetime', async () => {
    const link = await h.services.files.createLink(ADMIN, fileId, { format: 'zip', ttlSeconds: 86_400 }, 'http://x');

    assert.equal(link.password?.length, 24);
    assert.equal(link.fileName, 'report.docx.zip');
    assert.equal(link.expiresAt, new Date(h.clock.now().getTime() + 3600_000).toISOString());
    const opened = await h.services.files.openLink(link.path.split('/').pop()!, null);
    assert.equal(opened.password, link.password);
    const given = await h.services.files.createLink(ADMIN, fileId, { format: 'zip', password: 'correct horse' }, 'http://x');
    assert.equal(given.password, 'correct horse');
    await assert.rejects(h.services.files.createLink(ADMIN, 9999, {}, 'http://x'), (e) => isAppError(e, 'FILE_NOT_FOUND'));
  });
});
