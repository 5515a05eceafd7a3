import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type QueryResult } from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';

/** Prepared statements kept per connection (most recently used). */
const STATEMENT_CACHE_SIZE = 32;

/**
 * Kysely's SQLite connection prepares every statement on every execution. For a multi-row upsert of
 * a sweep batch (6,500 bound values) that is milliseconds each time, for SQL text that repeats
 * batch after batch; so statements are kept, by SQL text, in a small LRU. SQLite re-prepares a kept
 * statement by itself when the schema changes.
 */
class CachingSqliteConnection implements DatabaseConnection {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.#prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    if (stmt.reader) return Promise.resolve({ rows: stmt.all(parameters) as R[] });
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
  }

  /** As Kysely's own: a fresh statement, since an iterating statement cannot run anything else. */
  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const stmt = this.#db.prepare(compiledQuery.sql);
    if (!stmt.reader) throw new Error('Sqlite driver only supports streaming of select queries');
    for (const row of stmt.iterate(compiledQuery.parameters as unknown[])) yield { rows: [row as R] };
  }

  #prepare(sql: string): BetterSqlite3.Statement {
    const cached = this.#statements.get(sql);
    if (cached) {
      // Re-insert: Map order is the recency order.
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const stmt = this.#db.prepare(sql);
    this.#statements.set(sql, stmt);
    if (this.#statements.size > STATEMENT_CACHE_SIZE) this.#statements.delete(this.#statements.keys().next().value!);
    return stmt;
  }
}

/**
 * Kysely's SQLite driver opens transactions with a deferred `BEGIN`: a transaction that reads and
 * then writes must upgrade its lock, and when another process holds it SQLite fails at once with
 * SQLITE_BUSY instead of waiting for busy_timeout. `BEGIN IMMEDIATE` takes the write lock up front,
 * so concurrent nodes queue on busy_timeout instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  #connection: CachingSqliteConnection | undefined;

  constructor(config: ConstructorParameters<typeof SqliteDriver>[0]) {
    super(config);
    const db = config.database;
    if (typeof db === 'function') throw new Error('ImmediateSqliteDriver needs an open database');
    this.#connection = new CachingSqliteConnection(db as unknown as BetterSqlite3.Database);
  }

  /** The base class's mutex still serialises users of the single connection; only the connection differs. */
  override async acquireConnection(): Promise<DatabaseConnection> {
    await super.acquireConnection();
    return this.#connection!;
  }

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
