import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePath, PATH_MESSAGES } from './normalise-path.js';

const ok = (input: string, platform: NodeJS.Platform) => {
  const r = normalisePath(input, platform);
  assert.ok(r.ok, `${input} should be accepted on ${platform}: ${JSON.stringify(r)}`);
  return r.path;
};
const invalid = (input: string, platform: NodeJS.Platform) => {
  const r = normalisePath(input, platform);
  assert.ok(!r.ok, `${input} should be INVALID_PATH on ${platform}`);
  return r.reason;
};

describe('normalisePath on POSIX', () => {
  it('accepts absolute paths and collapses redundant separators and . segments', () => {
    assert.equal(ok('/etc/hosts', 'linux'), '/etc/hosts');
    assert.equal(ok('//var///log/./syslog/', 'linux'), '/var/log/syslog');
    assert.equal(ok('/tmp/a\\b', 'darwin'), '/tmp/a\\b');
    assert.equal(ok('/', 'linux'), '/');
  });

  it('rejects relative, empty, NUL and .. paths', () => {
    assert.equal(invalid('etc/hosts', 'linux'), PATH_MESSAGES.relative);
    assert.equal(invalid('./x', 'linux'), PATH_MESSAGES.relative);
    assert.equal(invalid('', 'linux'), PATH_MESSAGES.empty);
    assert.equal(invalid('/tmp/a\0b', 'linux'), PATH_MESSAGES.nul);
    assert.equal(invalid('/data/../etc/shadow', 'linux'), PATH_MESSAGES.dotDot);
    assert.equal(invalid('/data/..', 'linux'), PATH_MESSAGES.dotDot);
  });

  it('rejects Windows-style paths', () => {
    for (const p of ['C:\\Windows\\win.ini', 'c:/Windows/win.ini', '\\\\server\\share\\x', 'C:']) {
      assert.equal(invalid(p, 'linux'), PATH_MESSAGES.windowsOnPosix, p);
    }
  });
});

describe('normalisePath on Windows', () => {
  it('accepts drive paths with either separator and upper-cases the drive', () => {
    assert.equal(ok('C:\\Windows\\win.ini', 'win32'), 'C:\\Windows\\win.ini');
    assert.equal(ok('c:/Users/bob//notes.txt', 'win32'), 'C:\\Users\\bob\\notes.txt');
    assert.equal(ok('D:\\a\\.\\b\\', 'win32'), 'D:\\a\\b');
  });

  it('accepts UNC paths, also written with forward slashes', () => {
    assert.equal(ok('\\\\fs01\\share\\dir\\f.txt', 'win32'), '\\\\fs01\\share\\dir\\f.txt');
    assert.equal(ok('//fs01/share/f.txt', 'win32'), '\\\\fs01\\share\\f.txt');
  });

  it('rejects relative, drive-relative, rooted and POSIX paths', () => {
    assert.equal(invalid('Windows\\win.ini', 'win32'), PATH_MESSAGES.relative);
    assert.equal(invalid('C:win.ini', 'win32'), PATH_MESSAGES.driveRelative);
    assert.equal(invalid('\\Windows\\win.ini', 'win32'), PATH_MESSAGES.driveRelative);
    assert.equal(invalid('/etc/hosts', 'win32'), PATH_MESSAGES.driveRelative);
  });

  it('rejects .., device prefixes, incomplete UNC and stream or trailing-dot tricks', () => {
    assert.equal(invalid('C:\\data\\..\\secret.txt', 'win32'), PATH_MESSAGES.dotDot);
    assert.equal(invalid('C:/data/../secret.txt', 'win32'), PATH_MESSAGES.dotDot);
    assert.equal(invalid('\\\\?\\C:\\x', 'win32'), PATH_MESSAGES.device);
    assert.equal(invalid('\\\\.\\PhysicalDrive0', 'win32'), PATH_MESSAGES.device);
    assert.equal(invalid('\\\\server', 'win32'), PATH_MESSAGES.uncIncomplete);
    assert.equal(invalid('\\\\server\\share', 'win32'), PATH_MESSAGES.uncIncomplete);
    assert.equal(invalid('C:\\secret.txt::$DATA', 'win32'), PATH_MESSAGES.windowsSegment);
    assert.equal(invalid('C:\\secret.txt.', 'win32'), PATH_MESSAGES.windowsSegment);
    assert.equal(invalid('C:\\secret.txt ', 'win32'), PATH_MESSAGES.windowsSegment);
  });
});
