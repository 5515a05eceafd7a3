import { isAbsolute, resolve } from 'node:path';
import { sqlStoreOptionsFromUrl, type SqlStoreOptions } from '@quarry/storage-sql';
import type { ServerConfig } from './schema.js';

/**
 * Where the database and the blobs live, as the composition root needs it. The URL forms are the
 * ones QUARRY_DATABASE_URL and QUARRY_BLOB_URL accept (see schema.ts).
 */

const POSTGRES_URL = /^postgres(ql)?:\/\//i;
const SQLITE_PREFIX = /^(sqlite|file):(\/\/)?/i;

export const STORE_LOCATION_MESSAGES = {
  bothDatabaseSettings: 'databaseUrl: set either databaseUrl or database.path, not both',
} as const;

/** True for a `postgres://` or `postgresql://` URL. */
export function isPostgresUrl(url: string): boolean {
  return POSTGRES_URL.test(url.trim());
}

/** Problems with databaseUrl that the schema cannot express (an unsupported scheme, a clash). */
export function storeLocationProblems(values: Record<string, unknown>, sources: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  const url = values.databaseUrl;
  if (typeof url !== 'string' || url.trim() === '') return out;
  const from = sources.get('databaseUrl');
  try {
    sqlStoreOptionsFromUrl(url, '.');
  } catch (err) {
    out.push(`databaseUrl${from ? ` (from ${from})` : ''}: ${(err as Error).message}`);
  }
  const path = (values.database as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string' && path !== '') out.push(STORE_LOCATION_MESSAGES.bothDatabaseSettings);
  return out;
}

/**
 * Resolves a SQLite databaseUrl (a path, `sqlite:PATH`, `file:PATH`) against `cwd` into
 * `database.path`, so every later reader sees one absolute file; a PostgreSQL URL is kept as is.
 */
export function resolveDatabaseUrl(
  url: string,
  database: ServerConfig['database'],
  cwd: string,
): { databaseUrl: string; database: ServerConfig['database'] } {
  const trimmed = url.trim();
  if (trimmed === '' || isPostgresUrl(trimmed)) return { databaseUrl: trimmed, database };
  const raw = trimmed.replace(SQLITE_PREFIX, '');
  const path = isAbsolute(raw) ? raw : resolve(cwd, raw);
  return { databaseUrl: path, database: { ...database, path } };
}

/** The store options of a loaded configuration: PostgreSQL when databaseUrl says so, else SQLite. */
export function databaseOptionsOf(config: Pick<ServerConfig, 'databaseUrl' | 'database' | 'databasePoolMax'>): SqlStoreOptions {
  if (isPostgresUrl(config.databaseUrl)) return { driver: 'postgres', url: config.databaseUrl, poolMax: config.databasePoolMax };
  return { driver: 'sqlite', path: config.database.path };
}

/** The URL with its password replaced, for printing and logging. */
export function redactUrlPassword(url: string): string {
  if (!isPostgresUrl(url)) return url;
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = 'redacted';
    return u.toString();
  } catch {
    return url;
  }
}
