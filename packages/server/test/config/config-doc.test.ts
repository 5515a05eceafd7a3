import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderConfigDoc } from '../../src/config/render-config-doc.js';

const DOC = new URL('../../../../docs/config.md', import.meta.url);

describe('docs/config.md', () => {
  it('matches the config schema (regenerate with UPDATE_DOCS=1)', () => {
    const expected = renderConfigDoc();
    if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, expected);

    const actual = readFileSync(DOC, 'utf8');

    assert.equal(actual, expected, 'docs/config.md is out of date: run UPDATE_DOCS=1 node --import tsx --test packages/server/test/config/config-doc.test.ts');
  });
});
