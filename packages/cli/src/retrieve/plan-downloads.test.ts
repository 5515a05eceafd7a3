import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sep } from 'node:path';
import type { RetrievedFile } from '@quarry/protocol';
import { planDownloads, safeName } from './plan-downloads.js';

function file(id: number, hostname: string, path: string): RetrievedFile {
  const name = path.split(/[/\\]/).pop() ?? path;
  return { id, hostname, path, name } as RetrievedFile;
}

const CWD = `${sep}work`;

describe('planDownloads', () => {
  it('defaults to <hostname>_<basename> in the current directory', () => {
    const plan = planDownloads([file(1, 'web-1', '/etc/hosts')], { out: undefined, cwd: CWD, single: true, zip: false, outIsDirectory: false });

    assert.equal(plan.directory, CWD);
    assert.deepEqual(plan.downloads.map((d) => d.target), [`${CWD}${sep}web-1_hosts`]);
  });

  it('treats --out as the file path when exactly one file results', () => {
    const plan = planDownloads([file(1, 'web-1', '/etc/hosts')], { out: 'copy.txt', cwd: CWD, single: true, zip: false, outIsDirectory: false });

    assert.equal(plan.directory, null);
    assert.equal(plan.downloads[0]?.target, `${CWD}${sep}copy.txt`);
  });

  it('treats --out as a directory when it exists as one or ends with a slash', () => {
    const existing = planDownloads([file(1, 'a', '/x')], { out: 'dir', cwd: CWD, single: true, zip: false, outIsDirectory: true });
    const slash = planDownloads([file(1, 'a', '/x')], { out: 'new/', cwd: CWD, single: true, zip: false, outIsDirectory: false });

    assert.equal(existing.downloads[0]?.target, `${CWD}${sep}dir${sep}a_x`);
    assert.equal(slash.downloads[0]?.target, `${CWD}${sep}new${sep}a_x`);
  });

  it('uses --out as a directory for several files, adds .zip, and never reuses a name', () => {
    const files = [file(1, 'web-1', '/etc/hosts'), file(2, 'web-1', '/opt/hosts'), file(3, 'db', 'C:\\Windows\\win.ini')];

    const plan = planDownloads(files, { out: 'out', cwd: CWD, single: false, zip: true, outIsDirectory: false });

    assert.deepEqual(
      plan.downloads.map((d) => d.target),
      [`${CWD}${sep}out${sep}web-1_hosts.zip`, `${CWD}${sep}out${sep}web-1_2_hosts.zip`, `${CWD}${sep}out${sep}db_win.ini.zip`],
    );
  });

  it('treats --out as a directory when the request could yield several files, even if one came back', () => {
    const plan = planDownloads([file(1, 'a', '/x')], { out: 'loot', cwd: CWD, single: false, zip: false, outIsDirectory: false });

    assert.equal(plan.downloads[0]?.target, `${CWD}${sep}loot${sep}a_x`);
  });
});

describe('safeName', () => {
  it('replaces separators and characters filesystems reject', () => {
    assert.equal(safeName('a/b\\c:d*e?f"g<h>i|j\u0001'), 'a_b_c_d_e_f_g_h_i_j_');
    assert.equal(safeName('..'), '_');
  });
});
