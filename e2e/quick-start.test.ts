// The README's quick start, as a user runs it: `npm start` (server + local agent), then the CLI.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sha256File } from './support/files.js';
import { runCli, startServer, tempDir, waitFor, type ServerProc } from './support/processes.js';

describe('quick start', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let server: ServerProc;
  let env: Record<string, string>;

  before(async () => {
    tmp = await tempDir('e2e-quick-start');
    server = await startServer({ dataDir: join(tmp.dir, 'data'), localAgent: true });
    env = { QUARRY_URL: server.url, QUARRY_API_KEY: server.adminKey };
  });

  after(async () => {
    await server?.kill();
    await tmp?.cleanup();
  });

  it('lists this machine as an endpoint', async () => {
    const out = await waitFor(async () => {
      const r = await runCli(['endpoints'], env);
      return r.code === 0 && r.stdout.includes(hostname()) ? r : null;
    }, 30_000, 'local agent in `quarry endpoints`');
    assert.match(out.stdout, new RegExp(hostname()));
  });

  it('retrieves /etc/os-release, verifies it and prints its hashes', async () => {
    const out = join(tmp.dir, 'os-release');

    const r = await runCli(['retrieve', '--endpoint', hostname(), '--path', '/etc/os-release', '--out', out], env, tmp.dir);

    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(await readFile(out), await readFile('/etc/os-release'));
    const sha = await sha256File('/etc/os-release');
    assert.match(r.stdout, new RegExp(`sha256\\s+${sha}`));
    assert.match(r.stdout, /md5\s+[0-9a-f]{32}/);
    assert.match(r.stdout, /sha1\s+[0-9a-f]{40}/);
  });

  it('fails a missing path with its code and a non-zero exit', async () => {
    const r = await runCli(['retrieve', '--endpoint', hostname(), '--path', '/no/such/file', '--out', join(tmp.dir, 'x')], env, tmp.dir);

    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /NOT_FOUND/);
  });
});
