import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';

/** Subtask states as of this migration; frozen here so later protocol changes cannot alter it. */
const STATES = ['queued', 'dispatched', 'running', 'uploading', 'succeeded', 'failed', 'timed_out', 'cancelled', 'expired'] as const;

/**
 * Pending changes to a task's counters (0003), one insert-only row per transaction that moved
 * its subtasks. Updating the task row in every subtask transaction made all of a task's
 * subtasks queue on that one row lock (10,000 agents × several moves each); a row here takes no
 * lock anyone waits for. A fold (right after the commit, or a sweep after a crash) moves the rows
 * into the task row's counters under its lock and re-derives the status; reads add what is
 * still pending, so counts are exact at any moment.
 */
export function addTaskCountDeltasMigration(adapter: DialectAdapter): Migration {
  const big = adapter.bigIntType;
  return {
    async up(db: Kysely<unknown>) {
      let table = db.schema
        .createTable('task_count_deltas')
        .addColumn('id', adapter.autoIdType, (c) => adapter.autoIdColumn(c))
        .addColumn('task_id', big, (c) => c.notNull().references('tasks.id').onDelete('cascade'));
      for (const state of STATES) table = table.addColumn(`count_${state}`, 'integer', (c) => c.notNull().defaultTo(0));
      await table
        .addColumn('files_succeeded', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('task_count_deltas_task_idx').on('task_count_deltas').column('task_id').execute();
    },
    async down() {
      // Released migrations are immutable and forward-only; restoring a backup is the way back.
      throw new Error('0005_add_task_count_deltas cannot be reverted');
    },
  };
}
