import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CliIo } from './context.js';
import { main } from './main.js';
import { MSG } from './messages.js';

/** Runs the CLI in-process with captured output and no server (port 9 is never listening). */
async function runCli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { QUARRY_URL: 'http://127.0.0.1:9', ...env },
    cwd: process.cwd(),
    now: () => 0,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const KEY = { QUARRY_API_KEY: 'qk_0123456789abcdef.s' };

describe('quarry argument handling', () => {
  it('prints help and the version with exit 0', async () => {
    const help = await runCli(['--help']);
    const version = await runCli(['--version']);

    assert.equal(help.code, 0);
    assert.match(help.stdout, /retrieve \[options\]/);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });

  it('exits 2 for an unknown command or option', async () => {
    assert.equal((await runCli(['nope'])).code, 2);
    assert.equal((await runCli(['endpoints', '--bogus'])).code, 2);
  });

  it('exits 2 without a subcommand', async () => {
    assert.equal((await runCli([])).code, 2);
  });

  it('requires --endpoint and --path for retrieve', async () => {
    const noEndpoint = await runCli(['retrieve', '--path', '/etc/hosts'], KEY);
    const noPath = await runCli(['retrieve', '--endpoint', 'web-1'], KEY);

    assert.equal(noEndpoint.code, 2);
    assert.match(noEndpoint.stderr, new RegExp(MSG.endpointRequired));
    assert.equal(noPath.code, 2);
    assert.match(noPath.stderr, new RegExp(MSG.pathRequired));
  });

  it('rejects non-integer numbers and unknown choices', async () => {
    const ttl = await runCli(['retrieve', '--endpoint', 'a', '--path', '/x', '--ttl', '1.5'], KEY);
    const role = await runCli(['credentials', 'create', '--name', 'n', '--role', 'root'], KEY);
    const status = await runCli(['tasks', 'list', '--status', 'done'], KEY);
    const id = await runCli(['tasks', 'show', 'abc'], KEY);

    assert.equal(ttl.code, 2);
    assert.match(ttl.stderr, /"1\.5" is not a positive integer/);
    assert.equal(role.code, 2);
    assert.match(role.stderr, /Allowed choices are viewer, responder, admin/);
    assert.equal(status.code, 2);
    assert.equal(id.code, 2);
  });

  it('requires --name and --role for credentials create', async () => {
    const r = await runCli(['credentials', 'create', '--role', 'viewer'], KEY);

    assert.equal(r.code, 2);
    assert.match(r.stderr, /--name/);
  });

  it('explains a missing API key with exit 2', async () => {
    const r = await runCli(['whoami']);

    assert.equal(r.code, 2);
    assert.match(r.stderr, /QUARRY_API_KEY/);
  });

  it('rejects a URL that is not http(s)', async () => {
    const r = await runCli(['--url', 'ftp://x', 'whoami'], KEY);

    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid server URL/);
  });

  it('reports an unreachable server with exit 1', async () => {
    const r = await runCli(['whoami'], KEY);

    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot reach http:\/\/127\.0\.0\.1:9\/api\/v1\/me/);
  });
});
