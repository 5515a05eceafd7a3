import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderPairs, renderTable } from './table.js';

describe('renderTable', () => {
  it('aligns columns to the widest cell and leaves no trailing spaces', () => {
    const out = renderTable(['ID', 'HOSTNAME', 'OS'], [
      ['1', 'web-01.example', 'linux'],
      ['22', 'db', ''],
    ]);

    assert.equal(out, ['ID  HOSTNAME        OS', '1   web-01.example  linux', '22  db'].join('\n'));
  });

  it('counts code points so accented names keep columns aligned', () => {
    const out = renderTable(['A', 'B'], [['café', 'x'], ['ab', 'y']]);

    assert.equal(out, ['A     B', 'café  x', 'ab    y'].join('\n'));
  });
});

describe('renderPairs', () => {
  it('pads labels to a common width, honouring a minimum', () => {
    assert.equal(renderPairs([['md5', 'aa'], ['sha1', 'bb']], 6), 'md5     aa\nsha1    bb');
  });
});
