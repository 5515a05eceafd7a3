import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliUsageError } from '../context.js';
import { parseByteSize, sweepBody } from './sweep.js';

describe('quarry sweep options', () => {
  it('parses sizes with binary suffixes', () => {
    assert.equal(parseByteSize('4096'), 4096);
    assert.equal(parseByteSize('10G'), 10 * 1024 ** 3);
    assert.equal(parseByteSize('512MiB'), 512 * 1024 ** 2);
    assert.throws(() => parseByteSize('ten'), /not a size/);
  });

  it('builds the request body, budgets only when given', () => {
    assert.deepEqual(sweepBody({ endpoint: ['web-1'], root: ['/srv'], wait: true }), { endpoints: ['web-1'], roots: ['/srv'] });
    assert.deepEqual(
      sweepBody({ endpoint: ['a'], root: ['/x/**'], name: ['*.js'], hash: ['ab'], minSize: 1, maxFiles: 10, maxBytes: 5, maxDepth: 2, maxSeconds: 3, wait: true }),
      { endpoints: ['a'], roots: ['/x/**'], names: ['*.js'], hashes: ['ab'], minSize: 1, budgets: { maxFiles: 10, maxBytesHashed: 5, maxDepth: 2, maxSeconds: 3 } },
    );
    assert.throws(() => sweepBody({ root: ['/x'], wait: true }), CliUsageError);
    assert.throws(() => sweepBody({ endpoint: ['a'], wait: true }), CliUsageError);
  });
});
