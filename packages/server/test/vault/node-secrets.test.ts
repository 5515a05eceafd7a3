import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { stat, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '@quarry/core';
import { makeTempDir } from '@quarry/testing';
import { createNodeSecrets, loadOrCreateMasterKey } from '../../src/vault/index.js';

describe('createNodeSecrets', () => {
  const masterKey = randomBytes(32);
  const secrets = createNodeSecrets(masterKey);

  it('makes random tokens and hex of the requested length', () => {
    assert.match(secrets.randomToken(32), /^[A-Za-z0-9_-]{43}$/);
    assert.match(secrets.randomHex(16), /^[0-9a-f]{32}$/);
    assert.notEqual(secrets.randomHex(16), secrets.randomHex(16));
  });

  it('derives the same stable hex from the same master key and label, and only from them', () => {
    const other = createNodeSecrets(Buffer.alloc(32, 7));
    const again = createNodeSecrets(Buffer.alloc(32, 7));
    assert.match(other.stableHex('bootstrap-admin', 8), /^[0-9a-f]{16}$/);
    assert.equal(other.stableHex('bootstrap-admin', 8), again.stableHex('bootstrap-admin', 8));
    assert.notEqual(other.stableHex('bootstrap-admin', 8), other.stableHex('another-label', 8));
    assert.notEqual(other.stableHex('bootstrap-admin', 8), createNodeSecrets(Buffer.alloc(32, 8)).stableHex('bootstrap-admin', 8));
    assert.throws(() => other.stableHex('x', 33), /1 to 32 bytes/);
  });

  it('hashes secrets with sha256 hex and verifies them', () => {
    const hash = secrets.hashSecret('abc');
    assert.equal(hash, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(secrets.verifySecret('abc', hash), true);
    assert.equal(secrets.verifySecret('abd', hash), false);
    assert.equal(secrets.verifySecret('abc', hash.slice(0, 62)), false);
    assert.equal(secrets.verifySecret('abc', `${hash.slice(0, 63)}z`), false);
    assert.equal(secrets.verifySecret('abc', ''), false);
  });

  it('signs with HMAC-SHA256 base64url and verifies only the exact signature', () => {
    const signature = secrets.sign('file:42:1700000000');
    assert.match(signature, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(secrets.verifySignature('file:42:1700000000', signature), true);
    assert.equal(secrets.verifySignature('file:43:1700000000', signature), false);
    assert.equal(secrets.verifySignature('file:42:1700000000', `${signature}A`), false);
    assert.equal(secrets.verifySignature('file:42:1700000000', `${signature.slice(0, 42)}!`), false);
    assert.equal(secrets.verifySignature('file:42:1700000000', ''), false);
    assert.equal(createNodeSecrets(randomBytes(32)).verifySignature('file:42:1700000000', signature), false);
    assert.equal(createNodeSecrets(Buffer.from(masterKey)).sign('file:42:1700000000'), signature);
  });

  it('seals and opens short secrets; tampering or another master key fails', () => {
    const sealed = secrets.seal('zip pässword');
    assert.notEqual(sealed, secrets.seal('zip pässword'));
    assert.equal(secrets.open(sealed), 'zip pässword');
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1]! ^= 1;
    assert.throws(() => secrets.open(raw.toString('base64url')), (err: unknown) => isAppError(err, 'INTERNAL'));
    assert.throws(() => createNodeSecrets(randomBytes(32)).open(sealed), (err: unknown) => isAppError(err, 'INTERNAL'));
    assert.throws(() => secrets.open('short'), (err: unknown) => isAppError(err, 'INTERNAL'));
  });

  it('refuses a master key of the wrong length', () => {
    assert.throws(() => createNodeSecrets(randomBytes(16)), /32 bytes/);
  });
});

describe('loadOrCreateMasterKey', () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  before(async () => {
    temp = await makeTempDir('quarry-master-key');
  });
  after(async () => temp.cleanup());

  it('creates master.key with mode 0600 and reads the same key back', async () => {
    const dataDir = join(temp.dir, 'created', 'data');
    const key = await loadOrCreateMasterKey({ dataDir });
    assert.equal(key.length, 32);
    const file = join(dataDir, 'master.key');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await readFile(file, 'utf8')).trim(), key.toString('base64'));
    assert.ok(key.equals(await loadOrCreateMasterKey({ dataDir })));
  });

  it('agrees on one key when several start at once', async () => {
    const dataDir = join(temp.dir, 'race');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateMasterKey({ dataDir })));
    for (const key of keys) assert.ok(key.equals(keys[0]!));
  });

  it('prefers the environment value', async () => {
    const envKey = randomBytes(32);
    const dataDir = join(temp.dir, 'env');
    const key = await loadOrCreateMasterKey({ dataDir, envValue: envKey.toString('base64') });
    assert.ok(key.equals(envKey));
    await assert.rejects(stat(join(dataDir, 'master.key')), { code: 'ENOENT' });
  });

  it('rejects keys of the wrong length with a clear error', async () => {
    await assert.rejects(loadOrCreateMasterKey({ dataDir: temp.dir, envValue: randomBytes(16).toString('base64') }), /QUARRY_MASTER_KEY.*32 bytes/);
    await assert.rejects(loadOrCreateMasterKey({ dataDir: temp.dir, envValue: 'not base64!' }), /QUARRY_MASTER_KEY/);
    const dataDir = join(temp.dir, 'short');
    await loadOrCreateMasterKey({ dataDir });
    await writeFile(join(dataDir, 'master.key'), randomBytes(31).toString('base64'));
    await assert.rejects(loadOrCreateMasterKey({ dataDir }), /master\.key must hold .*32 bytes/);
  });
});
