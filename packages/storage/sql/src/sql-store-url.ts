import { join, resolve } from 'node:path';
import { openSqlStore, type SqlStoreOptions } from './open-sql-store.js';
import type { SqlStore } from './sql-store.js';

/** File name of the SQLite database inside the data directory when no URL is configured. */
export const DEFAULT_SQLITE_FILE = 'quarry.db';

export const SQL_URL_MESSAGES = {
  unsupportedScheme: (scheme: string) =>
    `unsupported database URL scheme "${scheme}": use postgres://… or postgresql://… for PostgreSQL, or a file path for SQLite`,
} as const;

const POSTGRES_SCHEME = /^postgres(ql)?:\/\//i;
/** `scheme://…`; a bare path (including `C:\…` on Windows) has no `//` after the colon. */
const ANY_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const SQLITE_FILE_SCHEME = /^(sqlite|file):(\/\/)?/i;

/**
 * Maps a database URL to store options: `postgres://` / `postgresql://` → PostgreSQL (the URL is
 * passed to node-postgres unchanged, so `?sslmode=…` and friends work); a file path, `sqlite:PATH`
 * or `file:PATH` → SQLite at that path (relative to the working directory); nothing → SQLite at
 * `<dataDir>/quarry.db`.
 *
 * @example sqlStoreOptionsFromUrl(process.env.QUARRY_DATABASE_URL, './data')
 */
export function sqlStoreOptionsFromUrl(url: string | undefined, dataDir: string, extra: { poolMax?: number | undefined } = {}): SqlStoreOptions {
  const trimmed = url?.trim() ?? '';
  if (trimmed === '') return { driver: 'sqlite', path: join(dataDir, DEFAULT_SQLITE_FILE) };
  if (POSTGRES_SCHEME.test(trimmed)) return { driver: 'postgres', url: trimmed, poolMax: extra.poolMax };
  if (SQLITE_FILE_SCHEME.test(trimmed)) return { driver: 'sqlite', path: resolve(trimmed.replace(SQLITE_FILE_SCHEME, '')) };
  const scheme = ANY_SCHEME.exec(trimmed)?.[1];
  if (scheme !== undefined) throw new Error(SQL_URL_MESSAGES.unsupportedScheme(scheme));
  return { driver: 'sqlite', path: resolve(trimmed) };
}

/**
 * Opens the store a database URL names (see `sqlStoreOptionsFromUrl`). Does not migrate.
 *
 * @example const store = await openSqlStoreFromUrl(config.databaseUrl, config.dataDir);
 */
export async function openSqlStoreFromUrl(url: string | undefined, dataDir: string, extra: { poolMax?: number | undefined } = {}): Promise<SqlStore> {
  return openSqlStore(sqlStoreOptionsFromUrl(url, dataDir, extra));
}
