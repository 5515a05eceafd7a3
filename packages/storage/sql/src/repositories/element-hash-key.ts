import { sql } from 'kysely';
import { ELEMENT_HASH_KEY_CHARS, type ELEMENT_HASH_COLUMNS } from '../migrations/0004_index_element_hash_prefixes.js';

/**
 * `column = hash`, written so that both dialects use the prefix index: the indexed expression,
 * spelled exactly as in the migration (literal bounds, not parameters), then the whole value.
 */
export function hashEquals(column: `file_elements.${(typeof ELEMENT_HASH_COLUMNS)[number]}`, hash: string) {
  const ref = sql.ref(column);
  return sql<boolean>`(substr(${ref}, 1, ${sql.raw(String(ELEMENT_HASH_KEY_CHARS))}) = ${hash.slice(0, ELEMENT_HASH_KEY_CHARS)} and ${ref} = ${hash})`;
}
