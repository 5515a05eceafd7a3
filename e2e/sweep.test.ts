// End to end: a real server process and a real agent process (as the unprivileged `nobody`, so an
// unreadable folder really is unreadable) sweep a generated tree of 100,000 files, and the results
// are compared with what `find` and `sha256sum` report, run as the same user on the same tree.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileElement, RetrievalDetail, SweepDetail, SweepResultsPage } from '@quarry/protocol';
import { Api, TERMINAL_TASK_STATUSES } from './support/api.js';
import { sha256File, sha256Url } from './support/files.js';
import { AGENT_BIN, runCli, startAgent, startServer, tempDir, waitFor, type Proc, type ServerProc } from './support/processes.js';
import { generateSweepTree, type SweepTree } from './support/sweep-tree.js';

const NOBODY = { uid: 65534, gid: 65534 };

/** Runs a shell pipeline as `nobody`; resolves with its stdout (stderr and exit status ignored: find reports the locked folder). */
function runAsNobody(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { ...NOBODY, cwd: '/', stdio: ['ignore', 'pipe', 'ignore'] });
    const parts: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => parts.push(c));
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

/** `sha256sum` lines (`<hex>  <path>`) as path -> sha256. */
function parseSums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) if (line) out.set(line.slice(66), line.slice(0, 64));
  return out;
}

describe('sweep end to end (100,000 files, agent as nobody)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let tree: SweepTree;
  let server: ServerProc;
  let agent: Proc;
  let api: Api;
  let endpointId: string;
  let expected: Map<string, string>;
  let firstIds: Map<string, number>;

  before(async () => {
    // Say so at once, rather than after the agent-online timeout, when nobody cannot run the agent.
    const reachable = (await runAsNobody(`test -r '${AGENT_BIN}' && echo yes`)).trim() === 'yes';
    assert.ok(reachable, `user nobody cannot read ${AGENT_BIN}: make the checkout's directories world-traversable (.ci/run does)`);
    tmp = await tempDir('e2e-sweep');
    // mkdtemp makes the directory 0700; nobody must be able to reach the tree inside it.
    await chmod(tmp.dir, 0o755);
    tree = await generateSweepTree(join(tmp.dir, 'tree'));
    expected = parseSums(await runAsNobody(`find '${tree.root}' -type f -print0 | xargs -0 sha256sum`));
    server = await startServer({ dataDir: join(tmp.dir, 'server') });
    api = new Api(server.url, server.adminKey);
    const { token } = await api.enrollToken();
    agent = await startAgent({ serverUrl: server.url, stateDir: join(tmp.dir, 'agent', 'state'), enrollToken: token, user: NOBODY });
    endpointId = (await waitFor(async () => (await api.endpoints('?online=true')).items[0], 30_000, 'agent online')).id;
  });

  after(async () => {
    await agent?.kill();
    await server?.kill();
    if (tree) await chmod(tree.lockedDir, 0o755).catch(() => undefined);
    await tmp?.cleanup();
  });

  async function sweepToEnd(body: Record<string, unknown>): Promise<SweepDetail> {
    const task = await api.ok<{ id: number }>('POST', '/api/v1/sweeps', { endpoints: [endpointId], ...body });
    const deadline = Date.now() + 90_000;
    for (;;) {
      const d = await api.ok<SweepDetail>('GET', `/api/v1/sweeps/${task.id}`);
      if (TERMINAL_TASK_STATUSES.includes(d.status)) return d;
      if (Date.now() > deadline) throw new Error(`sweep ${task.id} did not end: ${JSON.stringify(d.subtasks.items[0])}`);
      // Polled gently: the server is busy storing results on the same two CPUs.
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function allResults(taskId: number): Promise<Map<string, FileElement>> {
    const out = new Map<string, FileElement>();
    let cursor: string | null = null;
    do {
      const page: SweepResultsPage = await api.ok('GET', `/api/v1/sweeps/${taskId}/results?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      for (const r of page.items) out.set(r.element.path, r.element);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  it('finds exactly what find and sha256sum find, skipping the unreadable folder and the links', async () => {
    assert.equal(expected.size, tree.files, 'find as nobody lists every file outside the locked folder');
    const detail = await sweepToEnd({ roots: [tree.root] });
    assert.equal(detail.status, 'succeeded');
    const s = detail.subtasks.items[0]!;
    assert.equal(s.sweep.truncated, false);
    assert.equal(s.sweep.budgetHit, null);
    assert.equal(s.sweep.filesListed, tree.files);
    assert.equal(s.sweep.filesMatched, tree.files);
    assert.equal(s.sweep.bytesHashed, tree.bytes);
    assert.ok(s.sweep.skippedUnreadable >= 1, 'the locked folder is counted');
    assert.equal(s.sweep.results, tree.files);

    const results = await allResults(detail.id);
    const got = new Map([...results].map(([path, e]) => [path, e.sha256]));
    assert.deepEqual(got, expected);
    assert.ok(![...results.keys()].some((p) => p.startsWith(tree.lockedDir) || p.includes('/loop/') || p.endsWith('link-to-file.txt')));
    firstIds = new Map([...results].map(([path, e]) => [path, e.id]));
    const big = results.get(tree.big.path)!;
    assert.equal(big.size, tree.big.size);
    assert.equal(big.owner, 'root');
    assert.match(big.md5, /^[0-9a-f]{32}$/);

    // The same content under several names is several elements with one hash.
    const dups: { items: FileElement[] } = await api.ok('GET', `/api/v1/elements?hash=${tree.duplicate.sha256}&limit=500`);
    assert.deepEqual(dups.items.map((e) => e.path).sort(), [...tree.duplicate.paths].sort());
  });

  it('keeps element ids stable across sweeps', async () => {
    const sub = join(tree.root, 'd3');
    const detail = await sweepToEnd({ roots: [sub] });
    const results = await allResults(detail.id);
    assert.equal(results.size, [...expected.keys()].filter((p) => p.startsWith(`${sub}/`)).length);
    for (const [path, e] of results) assert.equal(e.id, firstIds.get(path), path);
  });

  it('matches glob roots, names and hash lists like find does', async () => {
    const detail = await sweepToEnd({ roots: [join(tree.root, 'd*', 's1', '**')], names: ['copy-*'], hashes: [tree.duplicate.sha256] });
    const results = await allResults(detail.id);
    const want = tree.duplicate.paths.filter((p) => p.slice(tree.root.length).split('/')[2] === 's1');
    assert.ok(want.length > 0);
    assert.deepEqual([...results.keys()].sort(), want.sort());
  });

  it('truncates at each budget and says which', async () => {
    const [files, depth, bytes] = await Promise.all([
      sweepToEnd({ roots: [tree.root], budgets: { maxFiles: 1000 } }),
      sweepToEnd({ roots: [tree.root], budgets: { maxDepth: 2 } }),
    ]).then(async (two) => [...two, await sweepToEnd({ roots: [join(tree.root, 'd0')], budgets: { maxBytesHashed: 1024 * 1024 } })]);

    const f = files!.subtasks.items[0]!.sweep;
    assert.deepEqual([f.truncated, f.budgetHit, f.filesListed], [true, 'maxFiles', 1000]);
    assert.ok(f.results <= 1000 && f.results > 0);
    for (const [path, e] of await allResults(files!.id)) assert.equal(expected.get(path), e.sha256);

    const d = depth!.subtasks.items[0]!.sweep;
    assert.deepEqual([d.truncated, d.budgetHit], [true, 'maxDepth']);
    const shallow = (await runAsNobody(`find '${tree.root}' -maxdepth 2 -type f`)).split('\n').filter(Boolean).sort();
    assert.deepEqual([...(await allResults(depth!.id)).keys()].sort(), shallow);

    const b = bytes!.subtasks.items[0]!.sweep;
    assert.deepEqual([b.truncated, b.budgetHit], [true, 'maxBytesHashed']);
    assert.ok(b.bytesHashed <= 1024 * 1024);
    assert.equal(bytes!.status, 'succeeded');
  });

  it('works from the CLI: sweep prints results as they arrive, elements searches, retrieve --element downloads', async () => {
    const env = { QUARRY_URL: server.url, QUARRY_API_KEY: server.adminKey };
    const sub = join(tree.root, 'd4');
    const swept = await runCli(['sweep', '--endpoint', endpointId, '--root', sub, '--name', 'copy-*', '--json'], env);
    assert.equal(swept.code, 0, swept.stderr);
    const lines = swept.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; element?: FileElement; subtasks?: Array<{ sweep: { truncated: boolean } }> });
    const printed = lines.filter((l) => l.type === 'result').map((l) => l.element!.path).sort();
    assert.deepEqual(printed, tree.duplicate.paths.filter((p) => p.startsWith(`${sub}/`)).sort());
    assert.equal(lines.at(-1)?.type, 'summary');
    assert.equal(lines.at(-1)?.subtasks?.[0]?.sweep.truncated, false);

    const found = await runCli(['--json', 'elements', '--hash', tree.duplicate.sha256], env);
    assert.equal(found.code, 0, found.stderr);
    assert.equal((JSON.parse(found.stdout) as FileElement[]).length, tree.duplicate.paths.length);

    const out = join(tmp.dir, 'from-element.bin');
    const got = await runCli(['retrieve', '--element', String(firstIds.get(tree.big.path)), '--out', out], env);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(await sha256File(out), tree.big.sha256);
  });

  it('retrieves a file from its element id with the right bytes', async () => {
    const elementId = firstIds.get(tree.big.path)!;
    const task = await api.ok<{ id: number }>('POST', '/api/v1/retrievals', { elements: [elementId] });
    const done = await waitFor(
      async () => {
        const t = await api.retrieval(task.id);
        return TERMINAL_TASK_STATUSES.includes(t.status) ? t : null;
      },
      60_000,
      'retrieval to end',
    );
    assert.equal(done.status, 'succeeded', JSON.stringify((done as RetrievalDetail).subtasks.items[0]));
    const op = done.subtasks.items[0]!.files[0]!;
    assert.equal(op.path, tree.big.path);
    const link = await api.link(op.fileId!, 'raw');
    const got = await sha256Url(link.url);
    assert.equal(got.sha256, tree.big.sha256);
    assert.equal(got.bytes, tree.big.size);
  });
});
