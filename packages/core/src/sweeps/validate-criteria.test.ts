import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SWEEP_BUDGET_LIMITS } from '@quarry/protocol';
import { isAppError } from '../errors/app-error.js';
import { validateCriteria } from './validate-criteria.js';
import { globToLike, nameLike, pathLike } from './like-pattern.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return err.code;
    throw err;
  }
  return null;
};

describe('validateCriteria', () => {
  it('fills in default budgets and normalises hashes and dates', () => {
    const c = validateCriteria({ roots: ['/a', '/a'], hashes: ['ABCDEF0123456789abcdef0123456789'], modifiedSince: '2026-01-02T03:04:05+01:00' });
    assert.deepEqual(c.roots, ['/a']);
    assert.deepEqual(c.hashes, ['abcdef0123456789abcdef0123456789']);
    assert.equal(c.modifiedSince, '2026-01-02T02:04:05.000Z');
    assert.equal(c.budgets.maxFiles, SWEEP_BUDGET_LIMITS.maxFiles.default);
    assert.equal(c.budgets.maxDepth, SWEEP_BUDGET_LIMITS.maxDepth.default);
  });

  it('gives each mistake its code', () => {
    assert.equal(code(() => validateCriteria({ roots: ['relative/x'] })), 'ROOT_INVALID');
    assert.equal(code(() => validateCriteria({ roots: ['/a/[x'] })), 'GLOB_INVALID');
    assert.equal(code(() => validateCriteria({ roots: ['/a'], names: ['a/b'] })), 'GLOB_INVALID');
    assert.equal(code(() => validateCriteria({ roots: ['/a'], hashes: ['abc'] })), 'HASH_INVALID');
    assert.equal(code(() => validateCriteria({ roots: ['/a'], hashes: ['z'.repeat(32)] })), 'HASH_INVALID');
    assert.equal(code(() => validateCriteria({ roots: ['/a'], hashes: ['a'.repeat(50)] })), 'HASH_INVALID');
    assert.equal(code(() => validateCriteria({ roots: ['/a'], budgets: { maxDepth: 0 } })), 'BUDGET_OUT_OF_RANGE');
    assert.equal(code(() => validateCriteria({ roots: ['/a'], budgets: { maxSeconds: 86_401 } })), 'BUDGET_OUT_OF_RANGE');
    assert.equal(code(() => validateCriteria({ roots: ['/a'], minSize: 10, maxSize: 5 })), 'VALIDATION_FAILED');
    assert.equal(code(() => validateCriteria({ roots: ['/a'], modifiedSince: 'yesterday' })), 'VALIDATION_FAILED');
    assert.equal(code(() => validateCriteria({ roots: ['/a'], budgets: { maxFiles: 1, maxBytesHashed: 1, maxDepth: 1, maxSeconds: 1 } })), null);
  });
});

describe('LIKE patterns', () => {
  it('turns globs into escaped, lower-cased LIKE patterns', () => {
    assert.equal(globToLike('Inv*_?.JS'), 'inv%\\__.js');
    assert.equal(nameLike('a%b'), 'a\\%b');
    assert.equal(pathLike('/Data/x'), '%/data/x%');
    assert.equal(pathLike('/data/**/x.log'), '/data/%/x.log');
  });
});
