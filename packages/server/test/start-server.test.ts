import assert from 'node:assert/strict';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '@quarry/testing';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { runServerCli } from '../src/run-server-cli.js';
import { startServer } from '../src/start-server.js';

const silent = pino({ level: 'silent' });

describe('startServer', () => {
  it('bootstraps a data dir, writes the admin key (0600) once, serves HTTP and closes', async () => {
    const tmp = await makeTempDir('quarry-start');
    try {
      const config = loadConfig({ env: {}, cwd: tmp.dir, base: { dataDir: tmp.dir, port: 0 } });
      const lines: string[] = [];

      const server = await startServer(config, { print: (l) => lines.push(l), logger: silent });
      const keyFile = join(tmp.dir, 'admin.key');
      let key: string;
      try {
        assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.ok(lines.some((l) => l.includes(server.url)), lines.join('\n'));
        assert.ok(lines.some((l) => l.includes(keyFile)), lines.join('\n'));
        assert.equal(statSync(keyFile).mode & 0o777, 0o600);
        key = readFileSync(keyFile, 'utf8').trim();
        const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(me.status, 200);
        assert.equal(((await me.json()) as { role: string }).role, 'admin');
      } finally {
        await server.close();
      }

      const again = await startServer(config, { print: (l) => lines.push(l), logger: silent });
      try {
        assert.equal(readFileSync(keyFile, 'utf8').trim(), key, 'the key is not replaced');
        const me = await fetch(`${again.url}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(me.status, 200);
      } finally {
        await again.close();
      }
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('route schemas', () => {
  it('compile on first use, and the schemas of every route compile', async () => {
    const tmp = await makeTempDir('quarry-schemas');
    try {
      const config = loadConfig({ env: {}, cwd: tmp.dir, base: { dataDir: tmp.dir, port: 0 } });
      const server = await startServer(config, { print: () => undefined, logger: silent });
      try {
        // A validated route answers as before: a bad body is refused by the (lazily built) validator.
        const key = readFileSync(join(tmp.dir, 'admin.key'), 'utf8').trim();
        const bad = await fetch(`${server.url}/api/v1/retrievals`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ endpoints: 'not-a-list', paths: [] }),
        });
        assert.equal(bad.status, 400);
        assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'VALIDATION_FAILED');
        server.app.compileAllSchemas();
        server.app.compileAllSchemas();
      } finally {
        await server.close();
      }
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('startServer with the local agent', () => {
  it('spawns an enrolled agent child that connects, and stops it on close', async () => {
    const tmp = await makeTempDir('quarry-local-agent');
    try {
      const config = loadConfig({ env: {}, cwd: tmp.dir, base: { dataDir: tmp.dir, port: 0, localAgent: true } });
      const server = await startServer(config, { print: () => undefined, logger: silent });
      try {
        const key = readFileSync(join(tmp.dir, 'admin.key'), 'utf8').trim();
        const deadline = Date.now() + 20_000;
        let online = false;
        while (!online) {
          if (Date.now() > deadline) throw new Error('local agent did not come online');
          const res = await fetch(`${server.url}/api/v1/endpoints?online=true`, { headers: { authorization: `Bearer ${key}` } });
          online = ((await res.json()) as { items: unknown[] }).items.length === 1;
          if (!online) await new Promise((r) => setTimeout(r, 100));
        }

        assert.ok(statSync(join(tmp.dir, 'local-agent', 'agent.json')).isFile());
      } finally {
        await server.close();
      }
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('runServerCli', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env: {} } };
  };

  it('reports all configuration problems and exits 2', async () => {
    const t = io();

    const code = await runServerCli(['--port', 'x', '--chunk-size', '1'], t.io);

    assert.equal(code, 2);
    assert.match(t.err.join(''), /port \(from --port\)/);
    assert.match(t.err.join(''), /chunkSize \(from --chunk-size\)/);
  });

  it('config print --redacted hides secrets', async () => {
    const t = io();
    t.io.env = { QUARRY_MASTER_KEY: 'c2VjcmV0' } as Record<string, string>;

    const code = await runServerCli(['config', 'print', '--redacted', '--port', '9999'], t.io);

    assert.equal(code, 0);
    const printed = JSON.parse(t.out.join('')) as { port: number; masterKey: string };
    assert.equal(printed.port, 9999);
    assert.equal(printed.masterKey, '[redacted]');
  });

  it('runs until stopped and exits 0', async () => {
    const tmp = await makeTempDir('quarry-cli');
    try {
      const t = io();
      let stop!: () => void;
      const stopSignal = new Promise<void>((resolve) => (stop = resolve));
      const run = runServerCli(['--port', '0', '--data-dir', tmp.dir, '--log-level', 'silent'], { ...t.io, stopSignal });
      const deadline = Date.now() + 10_000;
      while (!t.out.join('').includes('listening on')) {
        if (Date.now() > deadline) throw new Error(`server did not start: ${t.err.join('')}`);
        await new Promise((r) => setTimeout(r, 20));
      }

      stop();

      assert.equal(await run, 0);
    } finally {
      await tmp.cleanup();
    }
  });
});
