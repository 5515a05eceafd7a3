import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from './load.js';
import { redactConfig, REDACTED } from './redact-config.js';

const dir = mkdtempSync(join(tmpdir(), 'quarry-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills every default and resolves paths against cwd', () => {
    const c = loadConfig({ env: {}, cwd: dir });

    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, join(dir, 'data'));
    assert.equal(c.database.path, join(dir, 'data', 'quarry.db'));
    assert.equal(c.chunkSize, 8 * 1024 * 1024);
    assert.equal(c.localAgent, false);
    assert.equal(c.adminKey, null);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.database));
  });

  it('applies file < env < flags', () => {
    const file = join(dir, 'quarry.json');
    writeFileSync(file, JSON.stringify({ port: 1000, host: '0.0.0.0', logLevel: 'debug' }));

    const c = loadConfig({ argv: ['--config', file, '--port', '3000', '--with-local-agent'], env: { QUARRY_PORT: '2000', QUARRY_HOST: '::1' }, cwd: dir });

    assert.equal(c.port, 3000);
    assert.equal(c.host, '::1');
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.localAgent, true);
  });

  it('reads secrets from _FILE variables', () => {
    const file = join(dir, 'admin');
    const key = `qk_0123456789abcdef.${'A'.repeat(43)}`;
    writeFileSync(file, `${key}\n`);

    const c = loadConfig({ env: { QUARRY_ADMIN_KEY_FILE: file }, cwd: dir });

    assert.equal(c.adminKey, key);
    assert.equal(redactConfig(c).adminKey, REDACTED);
    assert.equal(redactConfig(c).masterKey, null);
  });

  it('reports every problem at once, naming where each value came from', () => {
    const problems = problemsOf(() =>
      loadConfig({
        argv: ['--chunk-size', '1024', '--bogus'],
        env: { QUARRY_PORT: 'eighty', QUARRY_LOCAL_AGENT: 'maybe', QUARRY_DATABASE_URL: 'mysql://x' },
        cwd: dir,
      }),
    );

    assert.ok(problems.some((p) => p.startsWith('command line:') && p.includes('bogus')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('QUARRY_DATABASE_URL')), problems.join('\n'));
  });

  it('reports type errors from env and flags together', () => {
    const problems = problemsOf(() =>
      loadConfig({ argv: ['--chunk-size', '1024'], env: { QUARRY_PORT: 'eighty', QUARRY_LOCAL_AGENT: 'maybe' }, cwd: dir }),
    );

    assert.ok(problems.some((p) => p.startsWith('port (from QUARRY_PORT)')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('localAgent (from QUARRY_LOCAL_AGENT)')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('chunkSize (from --chunk-size)')), problems.join('\n'));
  });

  it('rejects unknown keys in the config file and cross-field contradictions', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ prot: 1, linkTtlSeconds: 900, maxLinkTtlSeconds: 600 }));

    const unknown = problemsOf(() => loadConfig({ argv: ['--config', file], env: {}, cwd: dir }));
    assert.deepEqual(unknown, ['unknown setting "prot"']);

    writeFileSync(file, JSON.stringify({ linkTtlSeconds: 900, maxLinkTtlSeconds: 600 }));
    const cross = problemsOf(() => loadConfig({ argv: ['--config', file], env: {}, cwd: dir }));
    assert.deepEqual(cross, ['linkTtlSeconds: must not exceed maxLinkTtlSeconds']);
  });

  it('refuses a config file that is missing or not JSON', () => {
    const bad = join(dir, 'not.json');
    writeFileSync(bad, '{ nope');

    assert.match(problemsOf(() => loadConfig({ argv: ['--config', bad], env: {}, cwd: dir }))[0] ?? '', /is not a JSON object/);
    assert.match(problemsOf(() => loadConfig({ argv: ['--config', join(dir, 'missing.json')], env: {}, cwd: dir }))[0] ?? '', /ENOENT/);
  });
});

describe('loadConfig: database and blob store locations', () => {
  it('keeps a PostgreSQL URL, and redacts its password when printed', () => {
    const c = loadConfig({ env: { QUARRY_DATABASE_URL: 'postgres://quarry:s3cret@db:5432/quarry', QUARRY_MIGRATE: 'true' }, cwd: dir });

    assert.equal(c.databaseUrl, 'postgres://quarry:s3cret@db:5432/quarry');
    assert.equal(c.migrate, true);
    assert.equal(redactConfig(c).databaseUrl, 'postgres://quarry:redacted@db:5432/quarry');
  });

  it('treats a file path (or sqlite:PATH) as the SQLite file, resolved against cwd', () => {
    assert.equal(loadConfig({ env: { QUARRY_DATABASE_URL: 'db/q.sqlite' }, cwd: dir }).database.path, join(dir, 'db', 'q.sqlite'));
    assert.equal(loadConfig({ argv: ['--database-url', 'sqlite:/var/q.db'], env: {}, cwd: dir }).database.path, '/var/q.db');
  });

  it('refuses other schemes, two database settings at once, and a blob URL that is not s3://', () => {
    const problems = problemsOf(() =>
      loadConfig({ argv: ['--database-path', 'x.db'], env: { QUARRY_DATABASE_URL: 'mysql://db/q', QUARRY_BLOB_URL: 'gs://bucket' }, cwd: dir }),
    );

    assert.ok(problems.some((p) => p.startsWith('databaseUrl (from QUARRY_DATABASE_URL): unsupported database URL scheme "mysql"')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('either databaseUrl or database.path')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('blobUrl (from QUARRY_BLOB_URL)')), problems.join('\n'));
  });
});
