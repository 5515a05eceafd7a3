import type { Migration, MigrationProvider } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';
import { initialMigration } from './0001_initial.js';

/**
 * Static provider: migrations are code imported here, not files scanned at run time, so they work
 * the same from source, from a bundle and in tests. Names sort in application order.
 */
export function createMigrationProvider(adapter: DialectAdapter): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001_initial': initialMigration(adapter),
      };
    },
  };
}
