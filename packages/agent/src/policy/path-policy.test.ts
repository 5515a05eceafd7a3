import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob } from './glob.js';
import { createPathPolicy, globProblem } from './path-policy.js';

const matches = (glob: string, path: string, caseInsensitive = false) => compileGlob(glob, { caseInsensitive }).test(path);

describe('compileGlob', () => {
  it('* and ? stay within one segment', () => {
    assert.ok(matches('/var/log/*.log', '/var/log/syslog.log'));
    assert.ok(!matches('/var/log/*.log', '/var/log/nginx/access.log'));
    assert.ok(matches('/tmp/?.txt', '/tmp/a.txt'));
    assert.ok(!matches('/tmp/?.txt', '/tmp/ab.txt'));
    assert.ok(!matches('/tmp/?', '/tmp/'));
  });

  it('** spans any number of segments, including none', () => {
    assert.ok(matches('/data/**', '/data/a'));
    assert.ok(matches('/data/**', '/data/a/b/c.bin'));
    assert.ok(!matches('/data/**', '/database/x'));
    assert.ok(matches('/data/**/*.pem', '/data/k.pem'));
    assert.ok(matches('/data/**/*.pem', '/data/a/b/k.pem'));
    assert.ok(matches('**/*.key', '/home/u/.ssh/id.key'));
    assert.ok(matches('**/id_rsa', '/id_rsa'));
    assert.ok(matches('**', '/anything/at/all'));
  });

  it('treats ** inside a segment like *', () => {
    assert.ok(matches('/a/x**y', '/a/xzzy'));
    assert.ok(!matches('/a/x**y', '/a/x/y'));
  });

  it('treats regex metacharacters as literals', () => {
    assert.ok(matches('/a/(b)+[c]{d}$.^|', '/a/(b)+[c]{d}$.^|'));
    assert.ok(!matches('/a/b.c', '/a/bxc'));
  });

  it('is case-sensitive unless asked otherwise', () => {
    assert.ok(!matches('/Data/*.TXT', '/data/a.txt'));
    assert.ok(matches('/Data/*.TXT', '/data/a.txt', true));
  });
});

describe('createPathPolicy', () => {
  it('allows everything by default', () => {
    const p = createPathPolicy({ allow: [], deny: [], platform: 'linux' });

    assert.ok(p.isAllowed('/etc/shadow'));
  });

  it('deny wins over allow', () => {
    const p = createPathPolicy({ allow: ['/home/**'], deny: ['**/.ssh/**'], platform: 'linux' });

    assert.ok(p.isAllowed('/home/u/notes.txt'));
    assert.ok(!p.isAllowed('/home/u/.ssh/id_rsa'));
    assert.ok(p.isDenied('/home/u/.ssh/id_rsa'));
    assert.ok(!p.isAllowed('/etc/passwd'));
    assert.ok(!p.isDenied('/etc/passwd'));
  });

  it('is case-sensitive on Linux and case-insensitive on macOS and Windows', () => {
    const linux = createPathPolicy({ allow: [], deny: ['/secret/**'], platform: 'linux' });
    const mac = createPathPolicy({ allow: [], deny: ['/secret/**'], platform: 'darwin' });
    const win = createPathPolicy({ allow: [], deny: ['c:/Secret/**'], platform: 'win32' });

    assert.ok(linux.isAllowed('/SECRET/x'));
    assert.ok(!mac.isAllowed('/SECRET/x'));
    assert.ok(!win.isAllowed('C:\\SECRET\\x.txt'));
  });

  it('matches Windows paths against globs written with either separator', () => {
    const p = createPathPolicy({ allow: ['C:\\Users\\**', '//fs01/share/**'], deny: ['**\\*.pst'], platform: 'win32' });

    assert.ok(p.isAllowed('C:\\Users\\bob\\doc.txt'));
    assert.ok(!p.isAllowed('C:\\Users\\bob\\mail.PST'));
    assert.ok(p.isAllowed('\\\\fs01\\share\\a\\b'));
    assert.ok(!p.isAllowed('D:\\Users\\bob\\doc.txt'));
  });
});

describe('globProblem', () => {
  it('requires absolute globs or a leading **', () => {
    assert.equal(globProblem('/a/**', 'linux'), undefined);
    assert.equal(globProblem('**/*.key', 'linux'), undefined);
    assert.ok(globProblem('*.key', 'linux'));
    assert.ok(globProblem('C:\\x\\**', 'linux'));
    assert.equal(globProblem('C:\\x\\**', 'win32'), undefined);
    assert.equal(globProblem('\\\\srv\\share\\**', 'win32'), undefined);
    assert.ok(globProblem('/etc/**', 'win32'));
  });
});
