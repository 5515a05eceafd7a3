import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';

/**
 * Sweeps: criteria beside the task row, per-subtask progress (batch sequence, counters, truncation),
 * file elements keyed by (endpoint, path), and the result links between sweep subtasks and elements.
 */
export function addSweepsMigration(adapter: DialectAdapter): Migration {
  const big = adapter.bigIntType;
  const autoId = adapter.autoIdType;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sweeps')
        .addColumn('task_id', big, (c) => c.primaryKey().references('tasks.id').onDelete('cascade'))
        .addColumn('criteria', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('sweep_progress')
        .addColumn('subtask_id', big, (c) => c.primaryKey().references('subtasks.id').onDelete('cascade'))
        .addColumn('task_id', big, (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('next_seq', big, (c) => c.notNull())
        .addColumn('counters', 'text', (c) => c.notNull())
        .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('truncated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('budget_hit', 'text')
        .addColumn('results', big, (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('file_elements')
        .addColumn('id', autoId, (c) => adapter.autoIdColumn(c))
        .addColumn('guid', 'text', (c) => c.notNull().unique())
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('endpoints.id'))
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('mtime', big)
        .addColumn('owner', 'text')
        .addColumn('md5', 'text', (c) => c.notNull())
        .addColumn('sha1', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('first_seen_at', big, (c) => c.notNull())
        .addColumn('last_seen_at', big, (c) => c.notNull())
        .addColumn('last_task_id', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('file_elements_endpoint_path_idx').on('file_elements').columns(['endpoint_id', 'path']).unique().execute();
      // Searches compare lower-cased names (case-insensitive on every dialect).
      await db.schema.createIndex('file_elements_lower_name_idx').on('file_elements').expression(sql`lower(name)`).execute();
      await db.schema.createIndex('file_elements_md5_idx').on('file_elements').column('md5').execute();
      await db.schema.createIndex('file_elements_sha1_idx').on('file_elements').column('sha1').execute();
      await db.schema.createIndex('file_elements_sha256_idx').on('file_elements').column('sha256').execute();

      await db.schema
        .createTable('sweep_results')
        .addColumn('id', autoId, (c) => adapter.autoIdColumn(c))
        .addColumn('task_id', big, (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('subtask_id', big, (c) => c.notNull().references('subtasks.id').onDelete('cascade'))
        .addColumn('element_id', big, (c) => c.notNull().references('file_elements.id').onDelete('cascade'))
        .addColumn('seen_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sweep_results_subtask_element_idx').on('sweep_results').columns(['subtask_id', 'element_id']).unique().execute();
      await db.schema.createIndex('sweep_results_task_idx').on('sweep_results').columns(['task_id', 'id']).execute();
      await db.schema.createIndex('sweep_results_element_idx').on('sweep_results').column('element_id').execute();
    },
    async down() {
      // Released migrations are immutable and forward-only; restoring a backup is the way back.
      throw new Error('0002_add_sweeps cannot be reverted');
    },
  };
}
