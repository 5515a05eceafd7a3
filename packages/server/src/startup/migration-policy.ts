import type { Logger } from '@quarry/core';
import type { SqlStore } from '@quarry/storage-sql';
import { StartRefusedError } from './start-refused-error.js';

export const MIGRATION_MESSAGES = {
  unknown: (names: readonly string[]) =>
    `the database has migrations this version of Quarry does not know (${names.join(', ')}): it was upgraded by a newer release; run that release, or restore a backup taken before the upgrade`,
  pending: (names: readonly string[]) =>
    `the database has ${names.length} pending migration(s) (${names.join(', ')}); migrate it once with \`quarry server migrate\` (same settings), or start one node with --migrate (QUARRY_MIGRATE=true)`,
  applied: (names: readonly string[]) => (names.length === 0 ? 'Database schema is up to date.' : `Applied ${names.length} migration(s): ${names.join(', ')}`),
} as const;

/**
 * When to migrate. Embedded SQLite: always (one node owns the file, nobody else can be running an
 * older schema). PostgreSQL: only when told to, because other nodes of an older release may be
 * using the same database; a node refuses to start on pending migrations otherwise. Either way a
 * database migrated by a newer release is refused.
 */
export type MigrationPolicy = 'always' | 'when-told' | 'refuse-pending';

/** Applies `policy` to the store; returns the migrations it applied. Throws StartRefusedError. */
export async function applyMigrationPolicy(store: SqlStore, policy: MigrationPolicy, logger: Logger): Promise<string[]> {
  const unknown = await store.unknownMigrations();
  if (unknown.length > 0) throw new StartRefusedError([MIGRATION_MESSAGES.unknown(unknown)]);
  const pending = await store.pendingMigrations();
  if (pending.length === 0) return [];
  if (policy === 'refuse-pending') throw new StartRefusedError([MIGRATION_MESSAGES.pending(pending)]);
  logger.info({ migrations: pending }, 'applying database migrations');
  await store.migrate();
  return pending;
}
