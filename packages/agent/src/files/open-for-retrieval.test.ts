import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPathPolicy } from '../policy/path-policy.js';
import { FileFailure, failureCodeOf } from './fs-failure.js';
import { openForRetrieval, type RetrievalLimits } from './open-for-retrieval.js';

let dir: string;
const open = (p: string, limits: Partial<RetrievalLimits> = {}) =>
  openForRetrieval(p, { policy: createPathPolicy({ allow: [], deny: [] }), maxSizeBytes: null, ...limits });

async function failureOf(p: string, limits: Partial<RetrievalLimits> = {}): Promise<FileFailure> {
  try {
    const f = await open(p, limits);
    await f.handle.close();
  } catch (err) {
    assert.ok(err instanceof FileFailure, `expected FileFailure, got ${String(err)}`);
    return err;
  }
  assert.fail(`${p} opened although it should fail`);
}

describe('openForRetrieval (real files)', () => {
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'quarry-agent-open-'));
    writeFileSync(path.join(dir, 'ten.bin'), Buffer.alloc(10, 7));
    mkdirSync(path.join(dir, 'sub'));
    mkdirSync(path.join(dir, 'secret'));
    writeFileSync(path.join(dir, 'secret', 'k.pem'), 'key');
    symlinkSync(path.join(dir, 'secret', 'k.pem'), path.join(dir, 'innocent.txt'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('opens a regular file and reports its size and mtime', async () => {
    const f = await open(path.join(dir, 'ten.bin'));

    assert.equal(f.size, 10);
    assert.ok(f.mtimeMs > 0);
    await f.handle.close();
  });

  it('maps a missing file and a missing parent to NOT_FOUND', async () => {
    assert.equal((await failureOf(path.join(dir, 'nope'))).code, 'NOT_FOUND');
    assert.equal((await failureOf(path.join(dir, 'ten.bin', 'below'))).code, 'NOT_FOUND');
  });

  it('maps a directory to IS_A_DIRECTORY', async () => {
    assert.equal((await failureOf(path.join(dir, 'sub'))).code, 'IS_A_DIRECTORY');
  });

  it('maps a FIFO to IO_ERROR without blocking on open', async (t) => {
    const fifo = path.join(dir, 'pipe');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      t.skip('mkfifo not available on this host');
      return;
    }

    const failure = await failureOf(fifo);

    assert.equal(failure.code, 'IO_ERROR');
    assert.match(failure.message, /not a regular file/);
  });

  it('maps a file over the size limit to TOO_LARGE', async () => {
    assert.equal((await failureOf(path.join(dir, 'ten.bin'), { maxSizeBytes: 9 })).code, 'TOO_LARGE');
    const f = await open(path.join(dir, 'ten.bin'), { maxSizeBytes: 10 });
    await f.handle.close();
  });

  it('maps a relative or Windows path to INVALID_PATH', async () => {
    assert.equal((await failureOf('ten.bin')).code, 'INVALID_PATH');
    assert.equal((await failureOf('C:\\x.txt', { platform: 'linux' })).code, 'INVALID_PATH');
    assert.equal((await failureOf(`${dir}/sub/../ten.bin`)).code, 'INVALID_PATH');
  });

  it('denies by policy on the requested path and on the target of a link', async () => {
    const deny = createPathPolicy({ allow: [], deny: ['**/secret/**'] });

    assert.equal((await failureOf(path.join(dir, 'secret', 'k.pem'), { policy: deny })).code, 'DENIED_BY_POLICY');
    assert.equal((await failureOf(path.join(dir, 'innocent.txt'), { policy: deny })).code, 'DENIED_BY_POLICY');
  });

  it('maps an unreadable file to PERMISSION_DENIED', async (t) => {
    const file = path.join(dir, 'locked.bin');
    writeFileSync(file, 'x');
    chmodSync(file, 0o000);
    let readable = false;
    try {
      closeSync(openSync(file, 'r'));
      readable = true;
    } catch {
      // expected for non-root users
    }
    if (readable) {
      t.skip('running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not deny reads here, so EACCES cannot be produced');
      return;
    }

    assert.equal((await failureOf(file)).code, 'PERMISSION_DENIED');
  });
});

describe('failureCodeOf', () => {
  it('maps errno codes', () => {
    const e = (code: string) => Object.assign(new Error(code), { code });

    assert.equal(failureCodeOf(e('ENOENT')), 'NOT_FOUND');
    assert.equal(failureCodeOf(e('EACCES')), 'PERMISSION_DENIED');
    assert.equal(failureCodeOf(e('EPERM')), 'PERMISSION_DENIED');
    assert.equal(failureCodeOf(e('EISDIR')), 'IS_A_DIRECTORY');
    assert.equal(failureCodeOf(e('EIO')), 'IO_ERROR');
    assert.equal(failureCodeOf(new Error('no code')), 'IO_ERROR');
  });
});
