import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';

/** Indexes on columns that are null from insert until much later; each becomes partial. */
const NULL_AT_INSERT = [
  ['file_ops', 'file_ops_md5_idx', 'md5'],
  ['file_ops', 'file_ops_sha1_idx', 'sha1'],
  ['file_ops', 'file_ops_sha256_idx', 'sha256'],
  ['file_ops', 'file_ops_content_idx', 'content_sha256'],
  ['subtasks', 'subtasks_deadline_idx', 'deadline_at'],
] as const;

/**
 * Creating a task for 10,000 endpoints inserts 10,000 subtasks and as many file ops in one
 * transaction, before any agent hears of it; this migration takes about a third off that insert.
 *
 * - A file op's hashes and content key, and a queued subtask's deadline, stay null until the file
 *   is retrieved or the subtask dispatched, yet every insert added a null entry to their indexes.
 *   They become partial (`where … is not null`): every query on them compares the column to a
 *   value, which implies not null, so both databases still use them.
 * - On PostgreSQL, each file op checked two foreign keys that repeat what its subtask's keys
 *   already guarantee: its task and endpoint are its subtask's (set together at insert and never
 *   changed), and nothing deletes tasks or endpoints. Each check is a lookup and a share lock on
 *   the parent row per inserted row. SQLite would need a table rebuild to drop them and keeps them.
 */
export function lightenTaskInsertsMigration(adapter: DialectAdapter): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const [table, index, column] of NULL_AT_INSERT) {
        await db.schema.dropIndex(index).execute();
        await db.schema.createIndex(index).on(table).column(column).where(sql.ref(column), 'is not', null).execute();
      }
      if (adapter.capabilities.supportsDropConstraint) {
        await db.schema.alterTable('file_ops').dropConstraint('file_ops_task_id_fkey').execute();
        await db.schema.alterTable('file_ops').dropConstraint('file_ops_endpoint_id_fkey').execute();
      }
    },
    async down() {
      // Released migrations are immutable and forward-only; restoring a backup is the way back.
      throw new Error('0006_lighten_task_inserts cannot be reverted');
    },
  };
}
