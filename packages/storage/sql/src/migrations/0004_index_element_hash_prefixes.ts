import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';

/** The hash columns of file_elements. */
export const ELEMENT_HASH_COLUMNS = ['md5', 'sha1', 'sha256'] as const;

/** Hex digits of each hash that its index holds (64 bits); searches must spell the same expression. */
export const ELEMENT_HASH_KEY_CHARS = 16;

/**
 * File-element hashes are searched by exact value, so their indexes need only enough of each hash
 * to tell rows apart: the first 16 hex digits (64 bits) instead of all 32/40/64. The indexes shrink
 * to about a third, and because hashes are random every stored batch touches nearly every leaf page
 * of each, so every commit writes a third as many index pages. Searches compare the prefix (index)
 * and then the whole hash.
 */
export function indexElementHashPrefixesMigration(_adapter: DialectAdapter): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const column of ELEMENT_HASH_COLUMNS) {
        await db.schema.dropIndex(`file_elements_${column}_idx`).execute();
        await db.schema
          .createIndex(`file_elements_${column}_key_idx`)
          .on('file_elements')
          .expression(sql.raw(`substr(${column}, 1, ${ELEMENT_HASH_KEY_CHARS})`))
          .execute();
      }
    },
    async down() {
      // Released migrations are immutable and forward-only; restoring a backup is the way back.
      throw new Error('0004_index_element_hash_prefixes cannot be reverted');
    },
  };
}
