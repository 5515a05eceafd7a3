import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver } from 'kysely';

/**
 * Kysely's SQLite driver opens transactions with a deferred `BEGIN`: a transaction that reads and
 * then writes must upgrade its lock, and when another process holds it SQLite fails at once with
 * SQLITE_BUSY instead of waiting for busy_timeout. `BEGIN IMMEDIATE` takes the write lock up front,
 * so concurrent nodes queue on busy_timeout instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite's DDL is transactional, but Kysely's adapter says otherwise, so its migrator would run
 * migrations statement by statement with a no-op lock. Saying yes makes the migrator run them in
 * one `BEGIN IMMEDIATE` transaction: a second process migrating the same file waits for the first
 * and then finds nothing pending, and a failing migration leaves no half-built schema.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];

  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
