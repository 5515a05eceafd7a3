import { createHash } from 'node:crypto';
import type { Migration, MigrationProvider } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';
import { initialMigration } from './0001_initial.js';
import { addSweepsMigration } from './0002_add_sweeps.js';
import { addTaskCountersMigration } from './0003_add_task_counters.js';
import { indexElementHashPrefixesMigration } from './0004_index_element_hash_prefixes.js';
import { addTaskCountDeltasMigration } from './0005_add_task_count_deltas.js';
import { lightenTaskInsertsMigration } from './0006_lighten_task_inserts.js';
import { dropTaskInsertChecksMigration } from './0007_drop_task_insert_checks.js';
import { indexContentSizeMigration } from './0008_index_content_size.js';

/**
 * Every migration, in application order. Names sort in that order too (Kysely refuses a new name
 * that sorts before an applied one). Each factory gets the dialect adapter for column types and
 * dialect-specific DDL; the migration itself is shared.
 */
const MIGRATIONS: ReadonlyArray<readonly [name: string, factory: (adapter: DialectAdapter) => Migration]> = [
  ['0001_initial', initialMigration],
  ['0002_add_sweeps', addSweepsMigration],
  ['0003_add_task_counters', addTaskCountersMigration],
  ['0004_index_element_hash_prefixes', indexElementHashPrefixesMigration],
  ['0005_add_task_count_deltas', addTaskCountDeltasMigration],
  ['0006_lighten_task_inserts', lightenTaskInsertsMigration],
  ['0007_drop_task_insert_checks', dropTaskInsertChecksMigration],
  ['0008_index_content_size', indexContentSizeMigration],
];

/**
 * Static provider: migrations are code imported here, not files scanned at run time, so they work
 * the same from source, from a bundle and in tests.
 */
export function createMigrationProvider(adapter: DialectAdapter): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return Object.fromEntries(MIGRATIONS.map(([name, factory]) => [name, factory(adapter)]));
    },
  };
}

/** Names of all migrations this code knows, in order. */
export function migrationNames(): string[] {
  return MIGRATIONS.map(([name]) => name);
}

/**
 * Identifies the migration set by names and code, so test tooling can key a migrated template
 * database by it and never reuse one built from older migration code.
 */
export function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const [name, factory] of MIGRATIONS) hash.update(`${name}\0${factory.toString()}\0`);
  return hash.digest('hex').slice(0, 16);
}
