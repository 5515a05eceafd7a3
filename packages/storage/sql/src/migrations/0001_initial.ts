import type { Kysely, Migration } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter.js';

/** Initial schema: endpoints, credentials, the task engine, uploads/content, links and audit. */
export function initialMigration(adapter: DialectAdapter): Migration {
  const big = adapter.bigIntType;
  const autoId = adapter.autoIdType;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('short_id', 'text', (c) => c.notNull().unique())
        .addColumn('hostname', 'text', (c) => c.notNull())
        .addColumn('os', 'text', (c) => c.notNull())
        .addColumn('os_version', 'text', (c) => c.notNull())
        .addColumn('arch', 'text', (c) => c.notNull())
        .addColumn('agent_version', 'text', (c) => c.notNull())
        .addColumn('ip_addresses', 'text', (c) => c.notNull())
        .addColumn('agent_secret_hash', 'text', (c) => c.notNull())
        .addColumn('enrolled_at', big, (c) => c.notNull())
        .addColumn('last_seen_at', big)
        .addColumn('connected', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('endpoints_hostname_idx').on('endpoints').column('hostname').execute();

      await db.schema
        .createTable('enroll_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('max_uses', big)
        .addColumn('uses', big, (c) => c.notNull().defaultTo(0))
        .addColumn('expires_at', big, (c) => c.notNull())
        .addColumn('revoked_at', big)
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('can_download', 'integer', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('last_used_at', big)
        .addColumn('revoked_at', big)
        .execute();

      await db.schema
        .createTable('tasks')
        .addColumn('id', autoId, (c) => adapter.autoIdColumn(c))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('paths', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('ttl_seconds', big, (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('expires_at', big, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('finished_at', big)
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tasks_status_idx').on('tasks').columns(['status', 'id']).execute();

      await db.schema
        .createTable('subtasks')
        .addColumn('id', autoId, (c) => adapter.autoIdColumn(c))
        .addColumn('task_id', big, (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('endpoints.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('failure_code', 'text')
        .addColumn('failure_message', 'text')
        .addColumn('bytes_total', big)
        .addColumn('bytes_done', big, (c) => c.notNull().defaultTo(0))
        .addColumn('dispatched_at', big)
        .addColumn('started_at', big)
        .addColumn('finished_at', big)
        .addColumn('deadline_at', big)
        .addColumn('next_attempt_at', big)
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('subtasks_claim_idx').on('subtasks').columns(['endpoint_id', 'state', 'next_attempt_at']).execute();
      await db.schema.createIndex('subtasks_task_state_idx').on('subtasks').columns(['task_id', 'state']).execute();
      await db.schema.createIndex('subtasks_deadline_idx').on('subtasks').column('deadline_at').execute();
      await db.schema.createIndex('subtasks_state_next_idx').on('subtasks').columns(['state', 'next_attempt_at']).execute();

      await db.schema
        .createTable('uploads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('file_op_id', big, (c) => c.notNull())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('mtime_ms', big)
        .addColumn('chunk_size', big, (c) => c.notNull())
        .addColumn('chunk_count', big, (c) => c.notNull())
        .addColumn('wrapped_key', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('uploads_file_op_idx').on('uploads').column('file_op_id').execute();
      await db.schema.createIndex('uploads_state_created_idx').on('uploads').columns(['state', 'created_at']).execute();

      await db.schema
        .createTable('upload_chunks')
        .addColumn('upload_id', 'text', (c) => c.notNull().references('uploads.id').onDelete('cascade'))
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('upload_chunks_pk', ['upload_id', 'idx'])
        .execute();

      await db.schema
        .createTable('contents')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('md5', 'text', (c) => c.notNull())
        .addColumn('sha1', 'text', (c) => c.notNull())
        .addColumn('size', big, (c) => c.notNull())
        .addColumn('upload_id', 'text', (c) => c.notNull().references('uploads.id'))
        .addColumn('wrapped_key', 'text', (c) => c.notNull())
        .addColumn('chunk_size', big, (c) => c.notNull())
        .addColumn('chunk_count', big, (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('contents_md5_idx').on('contents').column('md5').execute();
      await db.schema.createIndex('contents_sha1_idx').on('contents').column('sha1').execute();

      await db.schema
        .createTable('file_ops')
        .addColumn('id', autoId, (c) => adapter.autoIdColumn(c))
        .addColumn('subtask_id', big, (c) => c.notNull().references('subtasks.id').onDelete('cascade'))
        .addColumn('task_id', big, (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('endpoints.id'))
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('failure_code', 'text')
        .addColumn('failure_message', 'text')
        .addColumn('size', big)
        .addColumn('mtime', big)
        .addColumn('bytes_done', big, (c) => c.notNull().defaultTo(0))
        .addColumn('md5', 'text')
        .addColumn('sha1', 'text')
        .addColumn('sha256', 'text')
        .addColumn('upload_id', 'text', (c) => c.references('uploads.id'))
        .addColumn('content_sha256', 'text', (c) => c.references('contents.sha256'))
        .addColumn('retrieved_at', big)
        .execute();
      await db.schema.createIndex('file_ops_task_idx').on('file_ops').column('task_id').execute();
      await db.schema.createIndex('file_ops_subtask_idx').on('file_ops').column('subtask_id').execute();
      await db.schema.createIndex('file_ops_endpoint_idx').on('file_ops').column('endpoint_id').execute();
      await db.schema.createIndex('file_ops_path_idx').on('file_ops').column('path').execute();
      await db.schema.createIndex('file_ops_md5_idx').on('file_ops').column('md5').execute();
      await db.schema.createIndex('file_ops_sha1_idx').on('file_ops').column('sha1').execute();
      await db.schema.createIndex('file_ops_sha256_idx').on('file_ops').column('sha256').execute();
      await db.schema.createIndex('file_ops_content_idx').on('file_ops').column('content_sha256').execute();

      await db.schema
        .createTable('links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('file_op_id', big, (c) => c.notNull().references('file_ops.id').onDelete('cascade'))
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('password_sealed', 'text')
        .addColumn('expires_at', big, (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('id', autoId, (c) => adapter.autoIdColumn(c))
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text')
        .addColumn('target_id', 'text')
        .addColumn('ip', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_action_idx').on('audit_events').columns(['action', 'id']).execute();
      await db.schema.createIndex('audit_events_actor_idx').on('audit_events').columns(['actor_id', 'id']).execute();
      await db.schema.createIndex('audit_events_target_idx').on('audit_events').columns(['target_type', 'target_id', 'id']).execute();
      await db.schema.createIndex('audit_events_at_idx').on('audit_events').column('at').execute();
      await adapter.makeAppendOnly(db, 'audit_events');
    },
    async down() {
      // Released migrations are immutable and forward-only; restoring a backup is the way back.
      throw new Error('0001_initial cannot be reverted');
    },
  };
}
