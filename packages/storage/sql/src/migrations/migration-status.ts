import { DEFAULT_MIGRATION_TABLE, sql, type Kysely, type MigrationProvider } from 'kysely';

/**
 * The database holds migrations this code does not know: it was migrated by a newer release.
 * Running against it could corrupt data, so the server refuses to start.
 */
export class UnknownMigrationsError extends Error {
  readonly migrations: readonly string[];

  constructor(migrations: readonly string[]) {
    super(
      `the database has migrations this version of Quarry does not know (${migrations.join(', ')}); ` +
        'it was upgraded by a newer release: run that release, or restore a backup taken before the upgrade',
    );
    this.name = 'UnknownMigrationsError';
    this.migrations = migrations;
  }
}

/** Names recorded in Kysely's migration table, or none when the table does not exist yet. */
export async function appliedMigrations<DB>(db: Kysely<DB>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === DEFAULT_MIGRATION_TABLE)) return [];
  const rows = await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)} order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** Applied migrations the provider does not list, in name order. */
export async function unknownMigrations<DB>(db: Kysely<DB>, provider: MigrationProvider): Promise<string[]> {
  const known = new Set(Object.keys(await provider.getMigrations()));
  return (await appliedMigrations(db)).filter((name) => !known.has(name));
}
