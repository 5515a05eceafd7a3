import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { describeEachDialect } from '@quarry/testing';
import type { SchemaSnapshot } from '../src/index.js';
import { makeTestStore } from './test-store.js';

const SNAPSHOT = new URL('./fixtures/schema-snapshot.json', import.meta.url);

/** One reviewable line per column: `name type [not null] [primary key]`. */
function toLines(schema: SchemaSnapshot): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(schema).map(([table, columns]) => [
      table,
      Object.entries(columns).map(([name, c]) => [name, c.type, c.nullable ? '' : 'not null', c.primaryKey ? 'primary key' : ''].filter(Boolean).join(' ')),
    ]),
  );
}

// Migrating from empty must give the checked-in schema on every dialect. After adding a migration,
// regenerate with UPDATE_SCHEMA_SNAPSHOT=1 and review the diff like code.
describeEachDialect('migrated schema', (dialect) => {
  it('matches the checked-in snapshot (tables, columns, normalised types, keys)', async () => {
    const t = await makeTestStore(dialect, 'schema-snapshot', { migrated: false });
    try {
      await t.store.migrate();

      const actual = toLines(await t.store.describeSchema());

      if (process.env.UPDATE_SCHEMA_SNAPSHOT === '1') await writeFile(SNAPSHOT, `${JSON.stringify(actual, null, 2)}\n`);
      assert.deepEqual(actual, JSON.parse(await readFile(SNAPSHOT, 'utf8')));
    } finally {
      await t.cleanup();
    }
  });
});
