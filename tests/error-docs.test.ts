// Keeps docs/errors.md, the ErrorCode list and the catalogue in step (after Fastify's errors test).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CATALOGUE } from '@quarry/core';
import { ERROR_CODES, RETIRED_ERROR_CODES } from '@quarry/protocol';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => ({ code: m[1]!, status: Number(m[2]) }));

describe('error catalogue', () => {
  it('has unique codes', () => {
    assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  });

  it('documents every code with its status, and nothing else', () => {
    const documented = new Map(rows.map((r) => [r.code, r.status]));
    assert.deepEqual([...documented.keys()].sort(), [...ERROR_CODES].sort());
    for (const code of ERROR_CODES) assert.equal(documented.get(code), ERROR_CATALOGUE[code].status, code);
  });

  it('never reuses a retired code', () => {
    for (const code of RETIRED_ERROR_CODES) assert.ok(!(ERROR_CODES as readonly string[]).includes(code), code);
  });

  it('gives 4xx to client errors and 5xx only to server-side conditions', () => {
    for (const code of ERROR_CODES) {
      const { status } = ERROR_CATALOGUE[code];
      assert.ok(status >= 400 && status < 600, code);
      if (status >= 500) assert.ok(['STORAGE_FULL', 'INTERNAL'].includes(code), code);
    }
  });
});
