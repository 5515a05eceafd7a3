import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDialect } from '@quarry/testing';
import type { ElementSighting } from '@quarry/core';
import { hashEquals } from '../src/repositories/element-hash-key.js';
import { makeTestStore, type TestStore } from './test-store.js';

const ENDPOINT = 'e'.repeat(32);
const PREFIX = { md5: '0123456789abcdef', sha1: 'fedcba9876543210', sha256: '00112233aabbccdd' };

/** Two elements whose hashes share the indexed 16-digit prefix and differ after it. */
function sighting(path: string, tail: string): ElementSighting {
  return {
    path,
    name: path.slice(1),
    size: 1,
    mtime: null,
    owner: null,
    md5: PREFIX.md5 + tail.repeat(16),
    sha1: PREFIX.sha1 + tail.repeat(24),
    sha256: PREFIX.sha256 + tail.repeat(48),
  };
}

describeEachDialect('file element hash search (prefix indexes, migration 0004)', (dialect) => {
  let t: TestStore;
  before(async () => {
    t = await makeTestStore(dialect, 'element-hash-index');
    await t.store.db
      .insertInto('endpoints')
      .values({ id: ENDPOINT, short_id: 'e'.repeat(24), hostname: 'h', os: 'linux', os_version: '6', arch: 'x64', agent_version: '0', ip_addresses: '[]', agent_secret_hash: 'x', enrolled_at: 1, last_seen_at: null, connected: 0 })
      .execute();
    let g = 0;
    await t.store.elements.upsertMany(ENDPOINT, 1, 1, [sighting('/a', 'a'), sighting('/b', 'b')], () => `guid-${++g}`);
  });
  after(() => t.cleanup());

  it('finds an element by each whole hash, not by another sharing the prefix', async () => {
    const b = sighting('/b', 'b');
    for (const filter of [{ md5: b.md5 }, { sha1: b.sha1 }, { sha256: b.sha256 }]) {
      const found = await t.store.elements.list(filter, { limit: 10 });
      assert.deepEqual(found.map((e) => e.path), ['/b'], JSON.stringify(filter));
    }
    assert.deepEqual(await t.store.elements.list({ md5: PREFIX.md5 + '0'.repeat(16) }, { limit: 10 }), []);
  });

  it('answers hash searches from the prefix index', async () => {
    for (const column of ['md5', 'sha1', 'sha256'] as const) {
      const q = t.store.db.selectFrom('file_elements').select('id').where(hashEquals(`file_elements.${column}`, sighting('/a', 'a')[column])).compile();
      const detail =
        dialect === 'sqlite'
          ? (await t.store.db.executeQuery<{ detail: string }>({ ...q, sql: `explain query plan ${q.sql}` })).rows.map((r) => r.detail)
          : // A two-row table is cheaper to scan; forbid that to see which index the query can use.
            await t.store.db.transaction().execute(async (trx) => {
              await sql`set local enable_seqscan = off`.execute(trx);
              return (await trx.executeQuery<{ 'QUERY PLAN': string }>({ ...q, sql: `explain ${q.sql}` })).rows.map((r) => r['QUERY PLAN']);
            });
      assert.match(detail.join('\n'), new RegExp(`file_elements_${column}_key_idx`), column);
    }
  });
});
