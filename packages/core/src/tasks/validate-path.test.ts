import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PATH_REASONS, pathProblem } from './validate-path.js';

describe('pathProblem', () => {
  it('accepts absolute POSIX, drive and UNC paths', () => {
    for (const p of ['/etc/hosts', '/', 'C:\\Windows\\win.ini', 'c:/Users/x/file.txt', '\\\\server\\share\\dir\\f.txt', '/a/.hidden', '/a/..b']) {
      assert.equal(pathProblem(p), null, p);
    }
  });

  it('refuses relative paths', () => {
    for (const p of ['etc/hosts', 'C:relative', './x', 'file', '\\single\\backslash']) assert.equal(pathProblem(p), PATH_REASONS.notAbsolute, p);
  });

  it('refuses dot segments', () => {
    for (const p of ['/etc/../shadow', '/./x', 'C:\\a\\..\\b', 'C:/a/./b', '\\\\srv\\share\\..\\x', '/a/..']) assert.equal(pathProblem(p), PATH_REASONS.dotSegment, p);
  });

  it('refuses NUL and control characters', () => {
    assert.equal(pathProblem('/etc/ho\u0000sts'), PATH_REASONS.control);
    assert.equal(pathProblem('/etc/ho\nsts'), PATH_REASONS.control);
    assert.equal(pathProblem('/etc/\u007f'), PATH_REASONS.control);
  });

  it('refuses empty, over-long and incomplete UNC paths', () => {
    assert.equal(pathProblem(''), PATH_REASONS.empty);
    assert.equal(pathProblem('/' + 'a'.repeat(4096)), PATH_REASONS.tooLong);
    assert.equal(pathProblem('/' + 'a'.repeat(4095)), null);
    assert.equal(pathProblem('\\\\server'), PATH_REASONS.uncIncomplete);
    assert.equal(pathProblem('\\\\server\\share'), PATH_REASONS.uncIncomplete);
  });
});
