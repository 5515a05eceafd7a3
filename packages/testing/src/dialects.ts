import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { makeTempDir } from './temp-dir.js';

/** The SQL databases storage-sql runs on. */
export type TestDialect = 'sqlite' | 'postgres';
export const ALL_DIALECTS: readonly TestDialect[] = ['sqlite', 'postgres'];

/** Server every PostgreSQL test database is created on; set by scripts/test-services. */
export const TEST_DATABASE_URL = process.env.QUARRY_TEST_DATABASE_URL?.trim() || undefined;

const MSG_PG_SKIPPED =
  '\n*** PostgreSQL suites SKIPPED: QUARRY_TEST_DATABASE_URL is not set. Start PostgreSQL with\n' +
  '***   node scripts/test-services/index.mjs -- node --import tsx --test <files>\n' +
  '*** (npm test does this), or set REQUIRE_ALL_SERVICES=1 to make a missing database fail the run.\n';
const MSG_PG_REQUIRED = 'QUARRY_TEST_DATABASE_URL is not set but REQUIRE_ALL_SERVICES=1 (or REQUIRE_ALL_DIALECTS=1)';
const MSG_BAD_DIALECTS = (raw: string) => `TEST_DIALECTS=${raw}: expected a comma-separated subset of ${ALL_DIALECTS.join(',')}`;
const MSG_NARROWED = 'TEST_DIALECTS selects only some dialects';
const MSG_KEPT = (name: string) => `KEEP_TEST_DATA=1: kept test database ${name}`;

/** Dialects selected by TEST_DIALECTS (comma-separated), all of them by default. */
function selectDialects(raw: string | undefined): readonly TestDialect[] {
  if (raw === undefined || raw.trim() === '') return ALL_DIALECTS;
  const wanted = raw.split(',').map((s) => s.trim().toLowerCase());
  if (wanted.some((w) => !(ALL_DIALECTS as readonly string[]).includes(w))) throw new Error(MSG_BAD_DIALECTS(raw));
  return ALL_DIALECTS.filter((d) => wanted.includes(d));
}

/**
 * The dialects DB suites run on: `['sqlite', 'postgres']`, narrowed by `TEST_DIALECTS`.
 *
 * @example for (const dialect of DIALECTS) describe(`${dialect}: task store`, () => { … });
 */
export const DIALECTS: readonly TestDialect[] = selectDialects(process.env.TEST_DIALECTS);

function requireAll(): boolean {
  return process.env.REQUIRE_ALL_SERVICES === '1' || process.env.REQUIRE_ALL_DIALECTS === '1';
}

let warned = false;

/**
 * Why a dialect's suites cannot run here, or false when they can. A missing PostgreSQL is a loud
 * skip locally; describeEachDialect turns it into a failure under REQUIRE_ALL_SERVICES=1.
 */
export function dialectUnavailable(dialect: TestDialect): string | false {
  return dialect === 'postgres' && TEST_DATABASE_URL === undefined ? 'QUARRY_TEST_DATABASE_URL not set' : false;
}

/**
 * `describe(\`${dialect}: ${name}\`, …)` once per selected dialect. A dialect whose server is
 * missing is skipped with a loud message, or fails the run under REQUIRE_ALL_SERVICES=1 /
 * REQUIRE_ALL_DIALECTS=1 (CI), so a broken set-up cannot pass as green.
 *
 * @example describeEachDialect('task store', (dialect) => { let db: TestDatabase; before(async () => { db = await makeTestDatabase(dialect, 'task-store'); }); … });
 */
export function describeEachDialect(name: string, fn: (dialect: TestDialect) => void): void {
  for (const dialect of DIALECTS) guardedDescribe(`${dialect}: ${name}`, [dialect], () => fn(dialect));
}

/**
 * One suite that compares dialects with each other (same scenario, same results). It needs every
 * dialect in ALL_DIALECTS: missing servers skip it loudly or fail under REQUIRE_ALL_SERVICES=1;
 * narrowing TEST_DIALECTS skips it.
 *
 * @example describeAcrossDialects('paging', (dialects) => it('pages alike', async () => { … }));
 */
export function describeAcrossDialects(name: string, fn: (dialects: readonly TestDialect[]) => void): void {
  const title = `${ALL_DIALECTS.join(' vs ')}: ${name}`;
  if (DIALECTS.length < ALL_DIALECTS.length) {
    describe(title, () => it('compares every dialect', { skip: MSG_NARROWED }, () => {}));
    return;
  }
  guardedDescribe(title, ALL_DIALECTS, () => fn(ALL_DIALECTS));
}

function guardedDescribe(title: string, dialects: readonly TestDialect[], fn: () => void): void {
  const reason = dialects.map(dialectUnavailable).find((r) => r !== false) ?? false;
  if (reason === false) {
    describe(title, fn);
  } else if (requireAll()) {
    describe(title, () => it('has every database it needs', () => assert.fail(MSG_PG_REQUIRED)));
  } else {
    if (!warned) console.warn(MSG_PG_SKIPPED);
    warned = true;
    // A skipped test rather than a skipped suite, so the run's "skipped" count shows it.
    describe(title, () => it('has every database it needs', { skip: reason }, () => {}));
  }
}

/** Where a test database lives; structurally the same as storage-sql's SqlStoreOptions. */
export type TestDatabaseOptions = { driver: 'sqlite'; path: string } | { driver: 'postgres'; url: string };

export interface TestDatabase {
  dialect: TestDialect;
  options: TestDatabaseOptions;
  /** Drops the database (removes the SQLite file's directory). KEEP_TEST_DATA=1 keeps it. */
  cleanup(): Promise<void>;
}

export interface TestDatabaseTemplate {
  /** Changes whenever `prepare` would build something different (e.g. the migration list). */
  key: string;
  /** Brings an empty database to the template state (migrates it) and closes its connections. */
  prepare(options: TestDatabaseOptions): Promise<void>;
}

/**
 * A brand-new, empty database: SQLite in a temp file (not `:memory:`, so WAL and locking behave as
 * in production); PostgreSQL as `quarry_t_<label>_<random>` on the QUARRY_TEST_DATABASE_URL server.
 * With `template`, PostgreSQL databases are copied from one prepared (migrated) once per key and
 * server, which is much faster than migrating each; SQLite just runs `prepare`.
 */
export async function makeTestDatabase(dialect: TestDialect, label = 'db', template?: TestDatabaseTemplate): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const tmp = await makeTempDir(`quarry-${label}`);
    const options: TestDatabaseOptions = { driver: 'sqlite', path: `${tmp.dir}/quarry.db` };
    if (template) await template.prepare(options);
    return { dialect, options, cleanup: () => (keepData() ? Promise.resolve(kept(tmp.dir)) : tmp.cleanup()) };
  }
  assert.ok(TEST_DATABASE_URL, MSG_PG_REQUIRED);
  const name = `quarry_t_${slug(label)}_${randomBytes(4).toString('hex')}`;
  const source = template ? await ensureTemplate(template) : undefined;
  await withAdmin((c) => c.query(`create database ${quoteIdent(name)}${source ? ` template ${quoteIdent(source)}` : ''}`));
  return {
    dialect,
    options: { driver: 'postgres', url: databaseUrl(name) },
    async cleanup() {
      if (keepData()) return kept(name);
      await withAdmin((c) => c.query(`drop database if exists ${quoteIdent(name)} with (force)`));
    },
  };
}

/** Creates the template database for `template.key` unless it exists; one builder per server. */
async function ensureTemplate(template: TestDatabaseTemplate): Promise<string> {
  const name = `quarry_tpl_${slug(template.key)}`;
  return withAdmin(async (c) => {
    // Test files run as parallel processes: the advisory lock makes one build it and the rest wait.
    await c.query('select pg_advisory_lock(hashtext($1))', [name]);
    try {
      const exists = await c.query('select 1 from pg_database where datname = $1', [name]);
      if (exists.rowCount === 0) {
        await c.query(`create database ${quoteIdent(name)}`);
        try {
          await template.prepare({ driver: 'postgres', url: databaseUrl(name) });
        } catch (err) {
          await c.query(`drop database if exists ${quoteIdent(name)} with (force)`);
          throw err;
        }
      }
      return name;
    } finally {
      await c.query('select pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 40) || 'db';
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function keepData(): boolean {
  return process.env.KEEP_TEST_DATA === '1';
}

function kept(where: string): void {
  console.warn(MSG_KEPT(where));
}
