import pg from 'pg';
import type { CustomTypesConfig } from 'pg';

/** PostgreSQL type oids whose text form we parse ourselves. */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * node-postgres returns int8 (bigint columns, `count(*)`) and numeric (`sum(bigint)`) as strings,
 * because they can exceed 2^53. Ours never do (ids, epoch ms, byte counts), so they become numbers
 * as in SQLite; a value that would lose precision stays a string instead of silently rounding.
 */
function parseExactNumber(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/**
 * Per-pool type parsers, so importing storage-sql never changes `pg.types` for anyone else in the
 * process.
 */
export const PG_TYPE_PARSERS: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if ((oid === INT8_OID || oid === NUMERIC_OID) && format !== 'binary') return parseExactNumber;
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  }) as CustomTypesConfig['getTypeParser'],
};
