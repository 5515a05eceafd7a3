import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';

/** Foreign keys checked once per inserted row of a new task, and what guarantees the same thing. */
const REDUNDANT_KEYS = [
  // The creating transaction resolved these endpoints just before, and endpoints are never deleted.
  ['subtasks', 'subtasks_endpoint_id_fkey'],
  // Inserted in the same transaction as its task, right after it; tasks are never deleted.
  ['subtasks', 'subtasks_task_id_fkey'],
  // Inserted in the same transaction as its subtask, from the ids that insert returned.
  ['file_ops', 'file_ops_subtask_id_fkey'],
] as const;

/**
 * More of 0006's work on the inserts that create a task, which every agent of the task waits for:
 * for 10,000 endpoints on PostgreSQL they took about 640 ms, and about 330 ms without the checks
 * and the index below (5 timed inserts each, rolled back; bench:fleet shows the effect as "POST
 * answered after").
 *
 * - `file_ops_path_idx`: no query looks a file op up by path, yet every insert added an entry.
 *   Dropped on both dialects.
 * - Three foreign keys (see REDUNDANT_KEYS): each inserted row cost a lookup and a row lock on its
 *   parent, on 10,000 different endpoint rows for the first. Nothing deletes tasks, subtasks or
 *   endpoints, so their ON DELETE CASCADE never fired either. SQLite would need table rebuilds to
 *   drop them and keeps them (its inserts are cheaper and it serves one node).
 */
export function dropTaskInsertChecksMigration(adapter: DialectAdapter): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('file_ops_path_idx').execute();
      if (adapter.capabilities.supportsDropConstraint) {
        for (const [table, constraint] of REDUNDANT_KEYS) await db.schema.alterTable(table).dropConstraint(constraint).execute();
      }
    },
    async down() {
      // Released migrations are immutable and forward-only; restoring a backup is the way back.
      throw new Error('0007_drop_task_insert_checks cannot be reverted');
    },
  };
}
