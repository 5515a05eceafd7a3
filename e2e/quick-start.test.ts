// The README's quick start, as a user runs it: `npm start` (server + local agent), then the CLI.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Api } from './support/api.js';
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

describe('quick start: the local agent lives and dies with its server', () => {
  it('stops when the server is killed outright (SIGKILL), leaving no orphan', async () => {
    const tmp = await tempDir('e2e-quick-start-orphan');
    const server = await startServer({ dataDir: join(tmp.dir, 'data'), localAgent: true });
    try {
      const agentPid = await waitFor(() => localAgentPid(server.log()), 30_000, 'the local agent to start');
      const api = new Api(server.url, server.adminKey);
      // Enrolled and connected: from here on the agent would retry a lost server for ever.
      await waitFor(async () => (await api.endpoints('?online=true')).items.length === 1, 30_000, 'the local agent online');
      assert.ok(isAlive(agentPid));

      server.child.kill('SIGKILL');

      try {
        await waitFor(() => !isAlive(agentPid), 15_000, `local agent ${agentPid} to exit`);
      } finally {
        if (isAlive(agentPid)) process.kill(agentPid, 'SIGKILL');
      }
    } finally {
      // Resolves once every holder of the server's output pipes (the agent too) has gone.
      await server.kill('SIGKILL');
      await tmp.cleanup();
    }
  });
});

/** The pid the server logged when it started its local agent. */
function localAgentPid(log: string): number | null {
  for (const line of log.split('\n')) {
    if (!line.includes('local agent started')) continue;
    const m = /"agentPid":(\d+)/.exec(line);
    if (m) return Number(m[1]);
  }
  return null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
