import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServerList, splitServerValues } from './server-list.js';

describe('ServerList', () => {
  it('starts at the first server and rotates round robin', () => {
    const list = new ServerList(['http://a:1', 'http://b:2', 'http://c:3']);

    assert.equal(list.current, 'http://a:1');
    assert.deepEqual([list.advance(), list.advance(), list.advance(), list.advance()], ['http://b:2', 'http://c:3', 'http://a:1', 'http://b:2']);
    assert.equal(list.current, 'http://b:2');
  });

  it('stays on a single server and drops duplicates', () => {
    const one = new ServerList(['http://a:1', 'http://a:1']);

    assert.equal(one.size, 1);
    assert.equal(one.advance(), 'http://a:1');
  });

  it('refuses an empty list', () => {
    assert.throws(() => new ServerList([]), /at least one/);
  });
});

describe('splitServerValues', () => {
  it('accepts repeated values and comma-separated lists, ignoring blanks', () => {
    assert.deepEqual(splitServerValues(['http://a:1, http://b:2', 'http://c:3', ' ,']), ['http://a:1', 'http://b:2', 'http://c:3']);
  });
});
