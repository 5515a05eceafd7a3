import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { chunked, makeTempDir, readAll } from '@quarry/testing';
import { aesZipLength, createAesZipStream, safeZipEntryName } from '../../src/downloads/aes-zip-writer.js';

const PASSWORD = 'c0rrect-horse_battery';
const TOOL_TIMEOUT_MS = 60_000;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

interface RunResult { code: number; stdout: string; stderr: string }

function run(cmd: string, args: string[], cwd?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: TOOL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

describe('createAesZipStream (WinZip AE-2, AES-256, stored)', () => {
  let temp: { dir: string; cleanup(): Promise<void> };
  let counter = 0;
  before(async () => {
    temp = await makeTempDir('quarry-aes-zip');
  });
  after(async () => temp.cleanup());

  /** Writes the archive to disk and returns its path (and checks the announced length). */
  async function writeZip(data: Buffer, fileName: string, extra: { forceZip64?: boolean; mtime?: Date | null } = {}): Promise<string> {
    const path = join(temp.dir, `archive-${(counter += 1)}.zip`);
    const options = { fileName, size: data.length, mtime: extra.mtime === undefined ? new Date('2024-05-06T07:08:10Z') : extra.mtime, forceZip64: extra.forceZip64 };
    await pipeline(createAesZipStream({ ...options, password: PASSWORD, source: chunked(data, { pieceSize: 77_777 }) }), createWriteStream(path));
    assert.equal((await stat(path)).size, aesZipLength(options));
    return path;
  }

  async function extract7z(zip: string, password: string): Promise<{ result: RunResult; dir: string }> {
    const dir = join(temp.dir, `out-${(counter += 1)}`);
    await mkdir(dir);
    return { result: await run('7z', ['x', `-p${password}`, `-o${dir}`, '-y', zip]), dir };
  }

  async function extractBsdtar(zip: string): Promise<{ result: RunResult; dir: string }> {
    const dir = join(temp.dir, `out-${(counter += 1)}`);
    await mkdir(dir);
    return { result: await run('bsdtar', ['-x', '-f', zip, '--passphrase', PASSWORD, '-C', dir]), dir };
  }

  it('7z extracts random data (several batches plus a partial one) with the right bytes', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 12_345);
    const zip = await writeZip(data, 'evidence.bin');
    const { result, dir } = await extract7z(zip, PASSWORD);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(sha256(await readFile(join(dir, 'evidence.bin'))), sha256(data));
    const test = await run('7z', ['t', `-p${PASSWORD}`, zip]);
    assert.equal(test.code, 0, test.stdout);
    const listing = await run('7z', ['l', '-slt', `-p${PASSWORD}`, zip]);
    assert.match(listing.stdout, /Method = AES-256 Store/);
    assert.match(listing.stdout, /Encrypted = \+/);
  });

  it('7z refuses a wrong password', async () => {
    const zip = await writeZip(randomBytes(100_000), 'secret.bin');
    const { result, dir } = await extract7z(zip, 'wrong-password');
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /Wrong password/i);
    const left = await readdir(dir);
    for (const name of left) assert.equal((await stat(join(dir, name))).size, 0, 'no plaintext extracted');
  });

  it('7z detects tampered ciphertext through the HMAC', async () => {
    const data = randomBytes(300_000);
    const zip = await writeZip(data, 'tamper.bin');
    const bytes = await readFile(zip);
    bytes[200_000]! ^= 0x01;
    await writeFile(zip, bytes);
    const test = await run('7z', ['t', `-p${PASSWORD}`, zip]);
    assert.notEqual(test.code, 0, test.stdout);
  });

  it('bsdtar extracts with --passphrase', async () => {
    const text = Buffer.from('line of evidence text\n'.repeat(150_000));
    const zip = await writeZip(text, 'report.txt');
    const { result, dir } = await extractBsdtar(zip);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(sha256(await readFile(join(dir, 'report.txt'))), sha256(text));
  });

  it('handles an empty file in 7z and bsdtar', async () => {
    const zip = await writeZip(Buffer.alloc(0), 'empty.dat', { mtime: null });
    const seven = await extract7z(zip, PASSWORD);
    assert.equal(seven.result.code, 0, seven.result.stdout);
    assert.equal((await readFile(join(seven.dir, 'empty.dat'))).length, 0);
    const tar = await extractBsdtar(zip);
    assert.equal(tar.result.code, 0, tar.result.stderr);
    assert.equal((await readFile(join(tar.dir, 'empty.dat'))).length, 0);
  });

  it('keeps a non-ASCII file name (UTF-8 flag) and the mtime', async () => {
    const name = 'Prüfbericht – 証拠 ✓.pdf';
    const data = randomBytes(4321);
    const mtime = new Date('2023-11-02T10:20:30Z');
    const zip = await writeZip(data, name, { mtime });
    for (const { result, dir } of [await extract7z(zip, PASSWORD), await extractBsdtar(zip)]) {
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.deepEqual(await readdir(dir), [name]);
      const extracted = join(dir, name);
      assert.equal(sha256(await readFile(extracted)), sha256(data));
      assert.equal((await stat(extracted)).mtime.getTime(), mtime.getTime());
    }
  });

  it('writes zip64 records on request and 7z and bsdtar open them', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 3);
    const zip = await writeZip(data, 'big.bin', { forceZip64: true });
    const bytes = await readFile(zip);
    assert.notEqual(bytes.indexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06])), -1, 'zip64 end record present');
    assert.notEqual(bytes.indexOf(Buffer.from([0x50, 0x4b, 0x06, 0x07])), -1, 'zip64 locator present');
    const seven = await extract7z(zip, PASSWORD);
    assert.equal(seven.result.code, 0, seven.result.stdout);
    assert.equal(sha256(await readFile(join(seven.dir, 'big.bin'))), sha256(data));
    const tar = await extractBsdtar(zip);
    assert.equal(tar.result.code, 0, tar.result.stderr);
    assert.equal(sha256(await readFile(join(tar.dir, 'big.bin'))), sha256(data));
  });

  it('fails the stream when the source is longer or shorter than the declared size', async () => {
    const base = { fileName: 'x.bin', mtime: null, password: PASSWORD };
    await assert.rejects(readAll(createAesZipStream({ ...base, size: 10, source: chunked(randomBytes(11)) })), /more bytes/);
    await assert.rejects(readAll(createAesZipStream({ ...base, size: 10, source: chunked(randomBytes(9)) })), /after 9 of 10/);
    const failing = chunked(randomBytes(2_000_000), { failAfter: 1_000_000 });
    await assert.rejects(readAll(createAesZipStream({ ...base, size: 2_000_000, source: failing })), /failed on purpose/);
  });

  it('destroys the source when the zip stream is destroyed', async () => {
    const source = new Readable({ read() { this.push(Buffer.alloc(65_536)); } });
    const zip = createAesZipStream({ fileName: 'x', size: 100 * 1024 * 1024, mtime: null, password: PASSWORD, source });
    await new Promise<void>((resolve) => zip.once('data', () => resolve()));
    zip.destroy();
    await new Promise<void>((resolve) => (source.destroyed ? resolve() : source.once('close', () => resolve())));
    assert.ok(source.destroyed);
  });

  it('flattens unsafe entry names', () => {
    assert.equal(safeZipEntryName('../../etc/passwd'), '.._.._etc_passwd');
    assert.equal(safeZipEntryName('C:\\Users\\a.txt'), 'C:_Users_a.txt');
    assert.equal(safeZipEntryName('..'), 'file');
    assert.equal(safeZipEntryName(''), 'file');
    assert.equal(safeZipEntryName('a\u0000b\nc'), 'a_b_c');
  });
});
