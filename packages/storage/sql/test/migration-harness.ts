import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { describeEachDialect } from '@quarry/testing';
import { migrationNames, type Database } from '../src/index.js';
import { makeTestStore } from './test-store.js';

/**
 * One migration's upgrade test (Fleet `TestUp_…` + `applyUpToPrev`): migrate an empty database up
 * to the migration before `name`, seed rows as the old schema allows, apply `name`, check what it
 * made of them. `db` is typed with today's schema; seed older shapes with `sql` where they differ.
 */
export interface MigrationCase {
  name: string;
  seed(db: Kysely<Database>): Promise<void>;
  verify(db: Kysely<Database>): Promise<void>;
}

/** Registers the upgrade test of one migration on every dialect. */
export function describeMigration(c: MigrationCase): void {
  describeEachDialect(`migration ${c.name}`, (dialect) => {
    it('upgrades data written under the previous schema', async () => {
      const names = migrationNames();
      const index = names.indexOf(c.name);
      assert.ok(index >= 0, `unknown migration ${c.name}`);
      const t = await makeTestStore(dialect, `migration-${c.name}`, { migrated: false });
      try {
        if (index > 0) await t.store.migrate({ upTo: names[index - 1]! });
        assert.deepEqual(await t.store.pendingMigrations(), names.slice(index));
        await c.seed(t.store.db);

        await t.store.migrate({ upTo: c.name });

        assert.deepEqual(await t.store.pendingMigrations(), names.slice(index + 1));
        await c.verify(t.store.db);
      } finally {
        await t.cleanup();
      }
    });
  });
}
