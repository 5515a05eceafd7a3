import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';

/** Subtask states as of this migration; frozen here so later protocol changes cannot alter it. */
const STATES = ['queued', 'dispatched', 'running', 'uploading', 'succeeded', 'failed', 'timed_out', 'cancelled', 'expired'] as const;

/**
 * Per-state subtask counters and a succeeded-file counter on the task row, kept in step in the
 * transaction of every subtask change: re-deriving a task's status then costs one row instead of
 * a count over all its subtasks under the task's lock. Backfilled from the existing rows.
 */
export function addTaskCountersMigration(_adapter: DialectAdapter): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
      for (const state of STATES) {
        await db.schema.alterTable('tasks').addColumn(`count_${state}`, 'integer', (c) => c.notNull().defaultTo(0)).execute();
      }
      await db.schema.alterTable('tasks').addColumn('files_succeeded', 'integer', (c) => c.notNull().defaultTo(0)).execute();

      // Correlated sub-selects run the same on SQLite and PostgreSQL (no UPDATE … FROM needed).
      const sets = STATES.map(
        (state) => sql`${sql.ref(`count_${state}`)} = (select count(*) from subtasks s where s.task_id = tasks.id and s.state = ${sql.lit(state)})`,
      );
      sets.push(sql`files_succeeded = (select count(*) from file_ops f where f.task_id = tasks.id and f.state = 'succeeded')`);
      await sql`update tasks set ${sql.join(sets, sql`, `)}`.execute(db);
    },
    async down() {
      // Released migrations are immutable and forward-only; restoring a backup is the way back.
      throw new Error('0003_add_task_counters cannot be reverted');
    },
  };
}
