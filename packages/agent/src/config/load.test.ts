import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadAgentConfig } from './load.js';
import { parseSize } from './parse-size.js';
import { defaultStateDir } from './default-state-dir.js';

const SERVER = ['--server', 'http://127.0.0.1:8080/'];

describe('loadAgentConfig', () => {
  it('applies defaults when only --server is given', () => {
    const r = loadAgentConfig(SERVER, {}, 'linux');

    assert.equal(r.kind, 'ok');
    assert.ok(r.kind === 'ok');
    assert.equal(r.options.serverUrl, 'http://127.0.0.1:8080');
    assert.equal(r.options.stateDir, '/var/lib/quarry-agent');
    assert.deepEqual(r.options.allow, []);
    assert.deepEqual(r.options.deny, []);
    assert.equal(r.options.maxSizeBytes, null);
    assert.equal(r.options.transport, 'auto');
    assert.equal(r.options.heartbeatSeconds, null);
    assert.equal(r.options.logLevel, 'info');
    assert.ok(Object.isFrozen(r.options));
  });

  it('reads every option from flags, with repeatable allow and deny', () => {
    const argv = [
      ...SERVER,
      '--enroll-token=qe_0123.abc',
      '--state-dir', 'rel/state',
      '--allow', '/data/**', '--allow', '/home/*/docs/**',
      '--deny', '**/*.key',
      '--max-size', '2GiB',
      '--transport', 'poll',
      '--heartbeat-seconds', '15',
      '--log-file', '/tmp/agent.log',
      '--log-level', 'debug',
    ];

    const r = loadAgentConfig(argv, {}, 'linux');

    assert.ok(r.kind === 'ok', JSON.stringify(r));
    assert.equal(r.options.enrollToken, 'qe_0123.abc');
    assert.equal(r.options.stateDir, path.resolve('rel/state'));
    assert.deepEqual(r.options.allow, ['/data/**', '/home/*/docs/**']);
    assert.deepEqual(r.options.deny, ['**/*.key']);
    assert.equal(r.options.maxSizeBytes, 2 * 1024 ** 3);
    assert.equal(r.options.transport, 'poll');
    assert.equal(r.options.heartbeatSeconds, 15);
    assert.equal(r.options.logFile, '/tmp/agent.log');
    assert.equal(r.options.logLevel, 'debug');
  });

  it('takes env vars when flags are absent, and flags win over them', () => {
    const env = {
      QUARRY_AGENT_SERVER: 'https://quarry.example',
      QUARRY_AGENT_TRANSPORT: 'ws',
      QUARRY_AGENT_DENY: '["/etc/**","**/*.pem"]',
      QUARRY_AGENT_ALLOW: '/srv/**',
      QUARRY_AGENT_MAX_SIZE: '1000',
    };

    const fromEnv = loadAgentConfig([], env, 'linux');
    const flagsWin = loadAgentConfig(['--transport', 'poll', '--deny', '/x/**', '--server', 'http://h'], env, 'linux');

    assert.ok(fromEnv.kind === 'ok');
    assert.equal(fromEnv.options.serverUrl, 'https://quarry.example');
    assert.equal(fromEnv.options.transport, 'ws');
    assert.deepEqual(fromEnv.options.deny, ['/etc/**', '**/*.pem']);
    assert.deepEqual(fromEnv.options.allow, ['/srv/**']);
    assert.equal(fromEnv.options.maxSizeBytes, 1000);
    assert.ok(flagsWin.kind === 'ok');
    assert.equal(flagsWin.options.serverUrl, 'http://h');
    assert.equal(flagsWin.options.transport, 'poll');
    assert.deepEqual(flagsWin.options.deny, ['/x/**']);
  });

  it('reports every problem at once', () => {
    const argv = [
      '--server', 'ftp://x', '--allow', 'relative/*', '--max-size', 'lots', '--transport', 'carrier-pigeon',
      '--heartbeat-seconds', '0', '--log-level', 'loud', '--bogus', 'stray', '--state-dir',
    ];

    const r = loadAgentConfig(argv, { QUARRY_AGENT_DENY: '[1]' }, 'linux');

    assert.ok(r.kind === 'invalid');
    const text = r.problems.join('\n');
    for (const needle of ['--server', 'relative/*', '--max-size', '--transport', '--heartbeat-seconds', '--log-level', '--bogus', "'stray'", '--state-dir needs a value', 'QUARRY_AGENT_DENY']) {
      assert.ok(text.includes(needle), `missing problem about ${needle}:\n${text}`);
    }
    assert.equal(r.problems.length, 10);
  });

  it('requires --server and rejects a repeated single-value flag', () => {
    const missing = loadAgentConfig([], {}, 'linux');
    const repeated = loadAgentConfig([...SERVER, '--transport', 'ws', '--transport', 'poll'], {}, 'linux');

    assert.ok(missing.kind === 'invalid');
    assert.match(missing.problems.join(), /--server is required/);
    assert.ok(repeated.kind === 'invalid');
    assert.match(repeated.problems.join(), /--transport given more than once/);
  });

  it('does not take the next flag as a missing value', () => {
    const r = loadAgentConfig(['--server', '--allow', '/a/**'], {}, 'linux');

    assert.ok(r.kind === 'invalid');
    assert.match(r.problems.join(), /--server needs a value/);
  });

  it('validates globs with the rules of the agent platform', () => {
    const win = loadAgentConfig([...SERVER, '--deny', 'C:\\Windows\\**', '--allow', '\\\\fs\\share\\**'], {}, 'win32');
    const winBad = loadAgentConfig([...SERVER, '--deny', '/etc/**'], {}, 'win32');

    assert.ok(win.kind === 'ok', JSON.stringify(win));
    assert.ok(winBad.kind === 'invalid');
  });

  it('returns help for -h and --help', () => {
    assert.equal(loadAgentConfig(['--bogus', '-h'], {}, 'linux').kind, 'help');
    assert.equal(loadAgentConfig(['--help'], {}, 'linux').kind, 'help');
  });
});

describe('defaultStateDir', () => {
  it('is per OS', () => {
    assert.equal(defaultStateDir('linux'), '/var/lib/quarry-agent');
    assert.equal(defaultStateDir('darwin'), '/Library/Application Support/Quarry');
    assert.equal(defaultStateDir('win32', 'D:\\PD'), 'D:\\PD\\Quarry');
    assert.equal(defaultStateDir('win32'), 'C:\\ProgramData\\Quarry');
  });
});

describe('parseSize', () => {
  it('parses integers and binary suffixes', () => {
    assert.equal(parseSize('0'), 0);
    assert.equal(parseSize('1048576'), 1048576);
    assert.equal(parseSize('512k'), 512 * 1024);
    assert.equal(parseSize('10M'), 10 * 1024 ** 2);
    assert.equal(parseSize('2GiB'), 2 * 1024 ** 3);
    assert.equal(parseSize('1gb'), 1024 ** 3);
  });

  it('rejects anything else', () => {
    for (const bad of ['', '-1', '1.5M', 'M', '12Q', '99999999999999999999']) assert.equal(parseSize(bad), undefined, bad);
  });
});

describe('loadAgentConfig: several servers', () => {
  it('accepts --server repeated and comma-separated, keeping order and dropping duplicates', () => {
    const r = loadAgentConfig(['--server', 'http://a:1/', '--server', 'http://b:2,http://c:3', '--server', 'http://a:1'], {}, 'linux');

    assert.ok(r.kind === 'ok', JSON.stringify(r));
    assert.equal(r.options.serverUrl, 'http://a:1');
    assert.deepEqual(r.options.serverUrls, ['http://a:1', 'http://b:2', 'http://c:3']);
  });

  it('reads a comma-separated QUARRY_AGENT_SERVER', () => {
    const r = loadAgentConfig([], { QUARRY_AGENT_SERVER: 'https://n1.example, https://n2.example' }, 'linux');

    assert.ok(r.kind === 'ok', JSON.stringify(r));
    assert.deepEqual(r.options.serverUrls, ['https://n1.example', 'https://n2.example']);
  });

  it('reports each invalid server', () => {
    const r = loadAgentConfig(['--server', 'http://a:1,ftp://b', '--server', 'nope'], {}, 'linux');

    assert.ok(r.kind === 'invalid');
    assert.equal(r.problems.filter((p) => p.startsWith('--server')).length, 2, r.problems.join('\n'));
  });
});

describe('loadAgentConfig: log rotation and supervision', () => {
  it('defaults to 10 MiB files, five kept, and no stdin watch', () => {
    const r = loadAgentConfig(SERVER, {}, 'linux');

    assert.ok(r.kind === 'ok');
    assert.deepEqual(r.options.logRotation, { maxBytes: 10 * 1024 * 1024, keep: 5 });
    assert.equal(r.options.exitOnStdinClose, false);
  });

  it('reads the rotation and the stdin watch from flags and from the environment', () => {
    const fromFlags = loadAgentConfig([...SERVER, '--log-max-size', '1M', '--log-keep', '0', '--exit-on-stdin-close'], {}, 'linux');
    const fromEnv = loadAgentConfig(SERVER, { QUARRY_AGENT_LOG_MAX_SIZE: '64K', QUARRY_AGENT_LOG_KEEP: '100', QUARRY_AGENT_EXIT_ON_STDIN_CLOSE: 'yes' }, 'linux');

    assert.ok(fromFlags.kind === 'ok', JSON.stringify(fromFlags));
    assert.deepEqual(fromFlags.options.logRotation, { maxBytes: 1024 * 1024, keep: 0 });
    assert.equal(fromFlags.options.exitOnStdinClose, true);
    assert.ok(fromEnv.kind === 'ok', JSON.stringify(fromEnv));
    assert.deepEqual(fromEnv.options.logRotation, { maxBytes: 64 * 1024, keep: 100 });
    assert.equal(fromEnv.options.exitOnStdinClose, true);
  });

  it('reports rotation values out of range and a value given to the stdin flag', () => {
    const r = loadAgentConfig([...SERVER, '--log-max-size', '1K', '--log-keep', '101', '--exit-on-stdin-close=1'], { QUARRY_AGENT_EXIT_ON_STDIN_CLOSE: 'maybe' }, 'linux');

    assert.ok(r.kind === 'invalid');
    assert.deepEqual(
      r.problems.map((p) => p.split(' ')[0]),
      ['--exit-on-stdin-close', '--log-max-size', '--log-keep', 'QUARRY_AGENT_EXIT_ON_STDIN_CLOSE'],
    );
  });
});
