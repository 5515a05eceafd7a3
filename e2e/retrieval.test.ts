// End to end: a real server process and a real agent process retrieve real files.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Api, TERMINAL_TASK_STATUSES } from './support/api.js';
import { downloadTo, sha256File, sha256Url, writeRandomFile } from './support/files.js';
import { startAgent, startServer, tempDir, waitFor, type Proc, type ServerProc } from './support/processes.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;

async function walkSizes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

async function grepDir(dir: string, needle: Buffer): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    if ((await readFile(p)).includes(needle)) hits.push(p);
  }
  return hits;
}

describe('retrieval end to end (SQLite, local blobs)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let server: ServerProc;
  let agent: Proc;
  let api: Api;
  let endpointId: string;
  const files: Record<string, string> = {};
  const marker = 'QUARRY-PLAINTEXT-MARKER-7f3a9c';

  before(async () => {
    tmp = await tempDir('e2e-retrieval');
    const src = join(tmp.dir, 'src');
    await mkdir(src);
    await mkdir(join(src, 'a-directory'));
    files.empty = join(src, 'empty.txt');
    files.text = join(src, 'hello.txt');
    files.binary = join(src, 'binary.bin');
    files.unicode = join(src, 'données-ü-文件 ✓.txt');
    await writeFile(files.empty, '');
    await writeFile(files.text, `${marker}\n`.repeat(2000));
    await writeRandomFile(files.binary, 20 * MiB + 12345);
    await writeFile(files.unicode, 'non-ASCII name\n');

    server = await startServer({ dataDir: join(tmp.dir, 'server') });
    api = new Api(server.url, server.adminKey);
    const { token } = await api.enrollToken();
    agent = await startAgent({ serverUrl: server.url, stateDir: join(tmp.dir, 'agent'), enrollToken: token });
    const online = await waitFor(async () => (await api.endpoints('?online=true')).items[0], 30_000, 'agent online');
    endpointId = online.id;
  });

  after(async () => {
    await agent?.kill();
    await server?.kill();
    await tmp?.cleanup();
  });

  async function finished(taskId: number) {
    return waitFor(async () => {
      const t = await api.retrieval(taskId);
      return TERMINAL_TASK_STATUSES.includes(t.status) ? t : null;
    }, 60_000, `task ${taskId} to end`);
  }

  it('enrols the agent as this machine', async () => {
    const ep = await api.ok<{ hostname: string; online: boolean; os: string }>('GET', `/api/v1/endpoints/${endpointId}`);
    assert.equal(ep.hostname, hostname());
    assert.equal(ep.online, true);
    assert.equal(ep.os, 'linux');
  });

  it('retrieves empty, text, binary and non-ASCII-named files, and reports missing paths and directories', async () => {
    const missing = join(tmp.dir, 'src', 'no-such-file');
    const dir = join(tmp.dir, 'src', 'a-directory');
    const task = await api.createRetrieval([hostname()], [files.empty!, files.text!, files.binary!, files.unicode!, missing, dir]);

    const done = await finished(task.id);

    assert.equal(done.status, 'partially_succeeded');
    const sub = done.subtasks.items[0]!;
    assert.equal(sub.state, 'failed');
    assert.equal(sub.failureCode, 'SOME_FILES_FAILED');
    const byPath = new Map(sub.files.map((f) => [f.path, f]));
    assert.equal(byPath.get(missing)!.failureCode, 'NOT_FOUND');
    assert.equal(byPath.get(dir)!.failureCode, 'IS_A_DIRECTORY');
    for (const p of [files.empty!, files.text!, files.binary!, files.unicode!]) {
      const op = byPath.get(p)!;
      assert.equal(op.state, 'succeeded', p);
      const meta = await api.file(op.fileId!);
      assert.equal(meta.sha256, await sha256File(p));
      assert.equal(meta.size, (await stat(p)).size);
      const link = await api.link(op.fileId!, 'raw');
      const got = await sha256Url(link.url);
      assert.equal(got.status, 200);
      assert.equal(got.sha256, meta.sha256, `download of ${p}`);
    }
  });

  it('serves byte ranges of the raw file', async () => {
    const task = await api.createRetrieval([endpointId], [files.binary!]);
    const done = await finished(task.id);
    const fileId = done.subtasks.items[0]!.files[0]!.fileId!;
    const link = await api.link(fileId, 'raw');
    const whole = await readFile(files.binary!);
    const start = 8 * MiB - 5;
    const r = await fetch(link.url, { headers: { range: `bytes=${start}-${start + 9}` } });
    assert.equal(r.status, 206);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), whole.subarray(start, start + 10));
  });

  it('stores no plaintext and does not store or upload the same content twice', async () => {
    const blobs = join(server.dataDir, 'blobs');
    assert.deepEqual(await grepDir(blobs, Buffer.from(marker)), []);
    const sizeBefore = await walkSizes(blobs);
    const putsBefore = (server.log().match(/"method":"PUT"[^\n]*\/chunks\//g) ?? []).length;
    assert.ok(putsBefore > 0, 'the server log shows no chunk uploads at all');

    const task = await api.createRetrieval([endpointId], [files.text!, files.binary!]);
    const done = await finished(task.id);

    assert.equal(done.status, 'succeeded');
    assert.equal(await walkSizes(blobs), sizeBefore);
    assert.equal((server.log().match(/"method":"PUT"[^\n]*\/chunks\//g) ?? []).length, putsBefore);
  });

  it('downloads an AES-256 zip that 7-Zip opens with the returned password and refuses otherwise', async () => {
    const task = await api.createRetrieval([endpointId], [files.unicode!]);
    const done = await finished(task.id);
    const link = await api.link(done.subtasks.items[0]!.files[0]!.fileId!, 'zip');
    assert.ok(link.password && link.password.length >= 16);
    const zip = join(tmp.dir, 'out.zip');
    await downloadTo(link.url, zip);
    const out = join(tmp.dir, 'unzipped');

    await run('7z', ['x', `-p${link.password}`, `-o${out}`, '-y', zip]);

    assert.equal(await sha256File(join(out, 'données-ü-文件 ✓.txt')), await sha256File(files.unicode!));
    await assert.rejects(run('7z', ['x', '-pwrong-password', `-o${join(tmp.dir, 'bad')}`, '-y', zip]));
  });

  it('refuses a tampered link and keeps serving the good one', async () => {
    const task = await api.createRetrieval([endpointId], [files.text!]);
    const done = await finished(task.id);
    const link = await api.link(done.subtasks.items[0]!.files[0]!.fileId!, 'raw');
    const tampered = link.url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));

    const bad = await fetch(tampered);

    assert.equal(bad.status, 403);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'LINK_INVALID');
    assert.equal((await fetch(link.url)).status, 200);
  });
});
