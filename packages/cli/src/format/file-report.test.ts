import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderFileReport } from './file-report.js';

const FILE = {
  hostname: 'web-1',
  path: '/etc/hosts',
  size: 2048,
  md5: 'a'.repeat(32),
  sha1: 'b'.repeat(40),
  sha256: 'c'.repeat(64),
};

describe('renderFileReport', () => {
  it('prints one grep-able line per fact, hashes as `label  hex`', () => {
    const lines = renderFileReport({ file: FILE, savedTo: '/tmp/web-1_hosts' }).split('\n');

    assert.deepEqual(lines, [
      'saved   /tmp/web-1_hosts',
      'host    web-1',
      'source  /etc/hosts',
      'size    2048 (2.00 KiB)',
      `md5     ${FILE.md5}`,
      `sha1    ${FILE.sha1}`,
      `sha256  ${FILE.sha256}`,
    ]);
  });

  it('adds the zip password without shifting the hash columns', () => {
    const lines = renderFileReport({ file: FILE, savedTo: '/x.zip', password: 'pw-123456' }).split('\n');

    assert.equal(lines.at(-1), 'password  pw-123456');
    assert.equal(lines.at(-2), `sha256  ${FILE.sha256}`);
  });
});
