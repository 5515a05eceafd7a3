// End to end: offline endpoints, TTL expiry, cancellation, and a 1 GiB retrieval.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api, TERMINAL_TASK_STATUSES } from './support/api.js';
import { sha256File, sha256Url, writeRandomFile } from './support/files.js';
import { startAgent, startServer, tempDir, waitFor, type Proc, type ServerProc } from './support/processes.js';

const MiB = 1024 * 1024;

describe('task lifecycle', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let server: ServerProc;
  let agent: Proc;
  let api: Api;
  let endpointId: string;

  before(async () => {
    tmp = await tempDir('e2e-lifecycle');
    server = await startServer({ dataDir: join(tmp.dir, 'server'), env: { QUARRY_TICK_INTERVAL_MS: '200' } });
    api = new Api(server.url, server.adminKey);
    const { token } = await api.enrollToken();
    agent = await startAgent({ serverUrl: server.url, stateDir: join(tmp.dir, 'agent'), enrollToken: token });
    endpointId = (await waitFor(async () => (await api.endpoints('?online=true')).items[0], 30_000, 'agent online')).id;
  });

  after(async () => {
    await agent?.kill();
    await server?.kill();
    await tmp?.cleanup();
  });

  async function ended(taskId: number, timeoutMs = 120_000) {
    return waitFor(async () => {
      const t = await api.retrieval(taskId);
      return TERMINAL_TASK_STATUSES.includes(t.status) ? t : null;
    }, timeoutMs, `task ${taskId} to end`);
  }

  it('retrieves a 1 GiB file intact', async () => {
    const big = join(tmp.dir, 'one-gib.bin');
    await writeRandomFile(big, 1024 * MiB);
    const expected = await sha256File(big);

    const task = await api.createRetrieval([endpointId], [big]);
    const done = await ended(task.id, 300_000);

    assert.equal(done.status, 'succeeded');
    const fileId = done.subtasks.items[0]!.files[0]!.fileId!;
    assert.equal((await api.file(fileId)).sha256, expected);
    assert.equal((await sha256Url((await api.link(fileId, 'raw')).url)).sha256, expected);
  });

  it('cancels an upload in progress and the agent stops sending', async () => {
    const big = join(tmp.dir, 'cancel-me.bin');
    await writeRandomFile(big, 512 * MiB);
    const task = await api.createRetrieval([endpointId], [big]);
    await waitFor(async () => (await api.retrieval(task.id)).subtasks.items[0]!.state === 'uploading', 60_000, 'uploading');

    const cancelled = await api.ok<{ status: string }>('POST', `/api/v1/retrievals/${task.id}/cancel`);

    assert.equal(cancelled.status, 'cancelled');
    const sub = (await api.retrieval(task.id)).subtasks.items[0]!;
    assert.equal(sub.state, 'cancelled');
    const putsAt = (server.log().match(/"method":"PUT"[^\n]*\/chunks\//g) ?? []).length;
    await new Promise((r) => setTimeout(r, 1500));
    const putsLater = (server.log().match(/"method":"PUT"[^\n]*\/chunks\//g) ?? []).length;
    assert.ok(putsLater - putsAt <= 2, `agent kept uploading after cancel: ${putsLater - putsAt} more chunks`);
    const again = await api.call<{ error: { code: string } }>('POST', `/api/v1/retrievals/${task.id}/cancel`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'TASK_NOT_CANCELLABLE');
  });

  it('keeps work queued for an offline endpoint, then expires it at its TTL', async () => {
    await agent.kill();
    await waitFor(async () => (await api.endpoints('?online=false')).items.some((e) => e.id === endpointId), 15_000, 'agent offline');

    const task = await api.createRetrieval([endpointId], ['/etc/hostname'], { ttlSeconds: 10 });
    const waiting = await api.retrieval(task.id);
    assert.equal(waiting.status, 'pending');
    assert.equal(waiting.subtasks.items[0]!.state, 'queued');

    const done = await ended(task.id, 30_000);

    assert.equal(done.status, 'expired');
    assert.equal(done.subtasks.items[0]!.state, 'expired');
  });

  it('delivers queued work when the endpoint comes back', async () => {
    const task = await api.createRetrieval([endpointId], ['/etc/hostname']);
    assert.equal((await api.retrieval(task.id)).subtasks.items[0]!.state, 'queued');

    agent = await startAgent({ serverUrl: server.url, stateDir: join(tmp.dir, 'agent') });
    const done = await ended(task.id, 30_000);

    assert.equal(done.status, 'succeeded');
  });
});
