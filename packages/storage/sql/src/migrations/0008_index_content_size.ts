import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';

/**
 * Content by size. An agent may skip hashing a file before uploading it (and read it once, not
 * twice) when no held content has its size, since only content of the same size can be a
 * duplicate; begin asks that on every large file, so it must not scan the table.
 */
export function indexContentSizeMigration(_adapter: DialectAdapter): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('contents_size_idx').on('contents').column('size').execute();
    },
    async down() {
      // Released migrations are immutable and forward-only; restoring a backup is the way back.
      throw new Error('0008_index_content_size cannot be reverted');
    },
  };
}
