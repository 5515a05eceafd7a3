// End to end: uploads survive the agent or the server being killed mid-way, and resend at most
// the one chunk that was in flight.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, TERMINAL_TASK_STATUSES } from './support/api.js';
import { sha256File, sha256Url, writeRandomFile } from './support/files.js';
import { startAgent, startServer, tempDir, waitFor, type Proc, type ServerProc } from './support/processes.js';

const MiB = 1024 * 1024;
const CHUNK = 8 * MiB;

/**
 * Chunk PUT requests the server completed, counted from its request log. The chunk in flight at a
 * kill may be stored without its request ever completing (so it is not logged, and rightly not
 * resent): a full upload therefore shows at least chunks - 1 lines, and at most chunks + 1 when
 * that chunk had to be sent again.
 */
function chunkPuts(logs: string[]): number {
  return logs.reduce((n, log) => n + (log.match(/"method":"PUT"[^\n]*\/chunks\/\d+/g) ?? []).length, 0);
}

/** Reads `count` until it reaches `atLeast` (or 5 s pass), then returns its value. */
async function settledCount(count: () => number, atLeast: number): Promise<number> {
  await waitFor(() => count() >= atLeast, 5000, 'log lines').catch(() => undefined);
  return count();
}

describe('resumable uploads', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let server: ServerProc;
  let agent: Proc;
  let api: Api;
  let endpointId: string;
  const serverLogs: string[] = [];
  let big: string;
  let bigSha: string;
  const agentState = () => join(tmp.dir, 'agent');

  before(async () => {
    tmp = await tempDir('e2e-resume');
    big = join(tmp.dir, 'big.bin');
    await writeRandomFile(big, 320 * MiB + 777);
    bigSha = await sha256File(big);
    server = await startServer({ dataDir: join(tmp.dir, 'server'), env: { QUARRY_CHUNK_SIZE: String(CHUNK) } });
    api = new Api(server.url, server.adminKey);
    const { token } = await api.enrollToken();
    agent = await startAgent({ serverUrl: server.url, stateDir: agentState(), enrollToken: token });
    endpointId = (await waitFor(async () => (await api.endpoints('?online=true')).items[0], 30_000, 'agent online')).id;
  });

  after(async () => {
    await agent?.kill();
    await server?.kill();
    await tmp?.cleanup();
  });

  async function waitForBytes(taskId: number, atLeast: number) {
    await waitFor(async () => {
      const t = await api.retrieval(taskId);
      const s = t.subtasks.items[0]!;
      if (TERMINAL_TASK_STATUSES.includes(t.status)) throw new Error(`task ended early: ${t.status}`);
      return s.bytesDone >= atLeast;
    }, 60_000, `${atLeast} bytes uploaded`);
  }

  async function succeeded(taskId: number) {
    const t = await waitFor(async () => {
      const d = await api.retrieval(taskId);
      return TERMINAL_TASK_STATUSES.includes(d.status) ? d : null;
    }, 120_000, 'task end');
    assert.equal(t.status, 'succeeded', JSON.stringify(t.subtasks.items[0]));
    return t;
  }

  async function verifyDownload(fileId: number) {
    const link = await api.link(fileId, 'raw');
    assert.equal((await sha256Url(link.url)).sha256, bigSha);
  }

  it('resumes after the agent is killed mid-upload', async () => {
    const task = await api.createRetrieval([endpointId], [big]);
    await waitForBytes(task.id, 10 * CHUNK);

    await agent.kill('SIGKILL');
    agent = await startAgent({ serverUrl: server.url, stateDir: agentState() });
    const done = await succeeded(task.id);

    const chunks = Math.ceil((320 * MiB + 777) / CHUNK);
    // Log lines reach the file through a pipe; give the last ones a moment to land.
    const puts = await settledCount(() => chunkPuts([server.log()]), chunks);
    assert.ok(puts >= chunks - 1 && puts <= chunks + 1, `chunk PUTs ${puts}, expected ${chunks} ± the one in flight at the kill`);
    await verifyDownload(done.subtasks.items[0]!.files[0]!.fileId!);
  });

  it('resumes after the server is killed mid-upload', async () => {
    // A changed copy, so deduplication does not skip the upload.
    await writeRandomFile(big, 320 * MiB + 777);
    bigSha = await sha256File(big);
    const task = await api.createRetrieval([endpointId], [big]);
    await waitForBytes(task.id, 10 * CHUNK);

    serverLogs.push(server.log());
    await server.kill('SIGKILL');
    server = await startServer({ dataDir: server.dataDir, port: server.port, adminKey: server.adminKey, env: { QUARRY_CHUNK_SIZE: String(CHUNK) } });
    const done = await succeeded(task.id);

    const chunks = Math.ceil((320 * MiB + 777) / CHUNK);
    // This task's PUTs: those the killed server logged after the retrieval was created, plus all
    // of the restarted server's (its log is a new file).
    const killedLog = serverLogs[0]!;
    const total = await settledCount(() => chunkPuts([killedLog.slice(killedLog.lastIndexOf('"url":"/api/v1/retrievals"')), server.log()]), chunks);
    assert.ok(total >= chunks - 1 && total <= chunks + 1, `chunk PUTs ${total}, expected ${chunks} ± the one in flight at the kill`);
    await verifyDownload(done.subtasks.items[0]!.files[0]!.fileId!);
  });
});
