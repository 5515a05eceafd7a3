import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileSegmentGlob, GLOB_REASONS, namePatternProblem, segmentGlobProblem } from './glob.js';
import { rootProblem, splitRoot } from './sweep-paths.js';

const cs = { caseInsensitive: false };

describe('sweep glob syntax', () => {
  it('matches *, ? and classes within one segment', () => {
    assert.ok(compileSegmentGlob('*.js', cs).test('invoice.js'));
    assert.ok(!compileSegmentGlob('*.js', cs).test('invoice.json'));
    assert.ok(compileSegmentGlob('f?.txt', cs).test('f1.txt'));
    assert.ok(compileSegmentGlob('[a-c]*', cs).test('beta'));
    assert.ok(!compileSegmentGlob('[!a-c]*', cs).test('beta'));
    assert.ok(compileSegmentGlob('[^a-c]*', cs).test('delta'));
    assert.ok(compileSegmentGlob('[]x]', cs).test(']'));
    assert.ok(compileSegmentGlob('a.b(c)+', cs).test('a.b(c)+'), 'regex characters are literal');
    assert.ok(compileSegmentGlob('*.JS', { caseInsensitive: true }).test('x.js'));
  });

  it('refuses malformed patterns with a reason', () => {
    assert.equal(segmentGlobProblem('[abc'), GLOB_REASONS.unclosedClass);
    assert.equal(segmentGlobProblem('[]'), GLOB_REASONS.unclosedClass);
    assert.equal(segmentGlobProblem('[!]'), GLOB_REASONS.unclosedClass);
    assert.equal(segmentGlobProblem('a**b'), GLOB_REASONS.doubleStar);
    assert.equal(segmentGlobProblem(''), GLOB_REASONS.empty);
    assert.equal(segmentGlobProblem('a\u0001'), GLOB_REASONS.control);
    assert.equal(namePatternProblem('dir/x'), GLOB_REASONS.separatorInName);
    assert.equal(namePatternProblem('**'), GLOB_REASONS.doubleStarInName);
    assert.equal(namePatternProblem('*.log'), null);
  });
});

describe('sweep roots', () => {
  it('accepts absolute POSIX, drive and UNC roots, with globs', () => {
    for (const r of ['/', '/var/log', '/home/*/Downloads', '/srv/**/*.log', 'C:\\Users\\*\\AppData', 'c:/x', '\\\\srv\\share\\dir']) assert.equal(rootProblem(r), null, r);
  });

  it('tells shape problems (ROOT_INVALID) from glob problems (GLOB_INVALID)', () => {
    assert.equal(rootProblem('var/log')?.code, 'ROOT_INVALID');
    assert.equal(rootProblem('/a/../b')?.code, 'ROOT_INVALID');
    assert.equal(rootProblem('\\\\srv')?.code, 'ROOT_INVALID');
    assert.equal(rootProblem('\\\\s*\\share\\x')?.code, 'ROOT_INVALID');
    assert.equal(rootProblem('/a/b[c')?.code, 'GLOB_INVALID');
    assert.equal(rootProblem('/a/x**/y')?.code, 'GLOB_INVALID');
  });

  it('splits at the first glob segment', () => {
    assert.deepEqual(splitRoot('/home/*/Downloads'), { style: 'posix', base: '/home', pattern: ['*', 'Downloads'] });
    assert.deepEqual(splitRoot('/var/log/'), { style: 'posix', base: '/var/log', pattern: [] });
    assert.deepEqual(splitRoot('/**'), { style: 'posix', base: '/', pattern: ['**'] });
    assert.deepEqual(splitRoot('C:/Users/*/x'), { style: 'windows', base: 'C:\\Users', pattern: ['*', 'x'] });
  });
});
