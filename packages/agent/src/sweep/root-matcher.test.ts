import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RootMatcher, type RootPosition } from './root-matcher.js';

function walk(m: RootMatcher, path: string): RootPosition['kind'] {
  let pos = m.start();
  for (const seg of path.split('/').filter(Boolean)) pos = m.step(pos, seg);
  return pos.kind;
}

describe('RootMatcher', () => {
  const cs = { caseInsensitive: false };

  it('selects everything below a literal root', () => {
    const m = new RootMatcher([], cs);
    assert.equal(walk(m, ''), 'inside');
    assert.equal(walk(m, 'a/b/c'), 'inside');
  });

  it('prunes directories that cannot lead to a match', () => {
    const m = new RootMatcher(['*', 'Downloads'], cs);
    assert.equal(walk(m, 'alice'), 'maybe');
    assert.equal(walk(m, 'alice/Documents'), 'none');
    assert.equal(walk(m, 'alice/Downloads'), 'inside');
    assert.equal(walk(m, 'alice/Downloads/x/y.txt'), 'inside');
  });

  it('lets ** stand for any number of segments, including none', () => {
    const m = new RootMatcher(['**', '*.log'], cs);
    assert.equal(walk(m, 'a.log'), 'inside');
    assert.equal(walk(m, 'x/y/z/a.log'), 'inside');
    assert.equal(walk(m, 'x/y/a.txt'), 'maybe');
    const mid = new RootMatcher(['a', '**', 'b'], cs);
    assert.equal(walk(mid, 'a/b'), 'inside');
    assert.equal(walk(mid, 'a/x/y/b'), 'inside');
    assert.equal(walk(mid, 'c'), 'none');
  });
});
