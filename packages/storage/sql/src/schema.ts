import type { Generated } from 'kysely';

/**
 * Kysely table types. Times are integer epoch ms; booleans are 0/1 integers; JSON is text.
 * PostgreSQL returns int8 as a string, hence `number | string` wherever a bigint column is read
 * (rows pass through `toNumber` in repositories/row.ts).
 */
type Int = number | string;
type IntId = Generated<Int>;

export interface EndpointsTable {
  id: string;
  short_id: string;
  hostname: string;
  os: string;
  os_version: string;
  arch: string;
  agent_version: string;
  ip_addresses: string;
  agent_secret_hash: string;
  enrolled_at: Int;
  last_seen_at: Int | null;
  connected: number;
}

export interface EnrollTokensTable {
  id: string;
  secret_hash: string;
  description: string;
  max_uses: Int | null;
  uses: Int;
  expires_at: Int;
  revoked_at: Int | null;
  created_at: Int;
  created_by: string;
}

export interface CredentialsTable {
  id: string;
  name: string;
  role: string;
  can_download: number;
  secret_hash: string;
  created_at: Int;
  created_by: string;
  last_used_at: Int | null;
  revoked_at: Int | null;
}

export interface TasksTable {
  id: IntId;
  kind: string;
  name: string;
  source: string;
  paths: string;
  created_by: string;
  ttl_seconds: Int;
  max_attempts: Int;
  expires_at: Int;
  status: string;
  finished_at: Int | null;
  created_at: Int;
  updated_at: Int;
  /** Subtasks of the task in each state, kept in step with every subtask change (0003). */
  count_queued: Generated<Int>;
  count_dispatched: Generated<Int>;
  count_running: Generated<Int>;
  count_uploading: Generated<Int>;
  count_succeeded: Generated<Int>;
  count_failed: Generated<Int>;
  count_timed_out: Generated<Int>;
  count_cancelled: Generated<Int>;
  count_expired: Generated<Int>;
  /** File ops of the task that succeeded: a failed task that delivered some is partial. */
  files_succeeded: Generated<Int>;
}

export interface SubtasksTable {
  id: IntId;
  task_id: Int;
  endpoint_id: string;
  state: string;
  attempt: Int;
  max_attempts: Int;
  failure_code: string | null;
  failure_message: string | null;
  bytes_total: Int | null;
  bytes_done: Int;
  dispatched_at: Int | null;
  started_at: Int | null;
  finished_at: Int | null;
  deadline_at: Int | null;
  next_attempt_at: Int | null;
  created_at: Int;
  updated_at: Int;
}

export interface FileOpsTable {
  id: IntId;
  subtask_id: Int;
  task_id: Int;
  endpoint_id: string;
  path: string;
  state: string;
  failure_code: string | null;
  failure_message: string | null;
  size: Int | null;
  mtime: Int | null;
  bytes_done: Int;
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
  upload_id: string | null;
  content_sha256: string | null;
  retrieved_at: Int | null;
}

export interface UploadsTable {
  id: string;
  file_op_id: Int;
  size: Int;
  sha256: string;
  mtime_ms: Int | null;
  chunk_size: Int;
  chunk_count: Int;
  wrapped_key: string;
  state: string;
  created_at: Int;
}

export interface UploadChunksTable {
  upload_id: string;
  idx: Int;
  size: Int;
  sha256: string;
}

export interface ContentsTable {
  sha256: string;
  md5: string;
  sha1: string;
  size: Int;
  upload_id: string;
  wrapped_key: string;
  chunk_size: Int;
  chunk_count: Int;
  created_at: Int;
}

export interface LinksTable {
  id: string;
  file_op_id: Int;
  format: string;
  password_sealed: string | null;
  expires_at: Int;
  created_by: string;
  created_at: Int;
}

export interface AuditEventsTable {
  id: IntId;
  at: Int;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: string;
}

export interface SweepsTable {
  task_id: Int;
  criteria: string;
  created_at: Int;
}

export interface SweepProgressTable {
  subtask_id: Int;
  task_id: Int;
  attempt: Int;
  next_seq: Int;
  counters: string;
  done: number;
  truncated: number;
  budget_hit: string | null;
  results: Int;
  updated_at: Int;
}

export interface FileElementsTable {
  id: IntId;
  guid: string;
  endpoint_id: string;
  path: string;
  name: string;
  size: Int;
  mtime: Int | null;
  owner: string | null;
  md5: string;
  sha1: string;
  sha256: string;
  first_seen_at: Int;
  last_seen_at: Int;
  last_task_id: Int;
}

export interface SweepResultsTable {
  id: IntId;
  task_id: Int;
  subtask_id: Int;
  element_id: Int;
  seen_at: Int;
}

/** Pending changes to a task's counters, folded into the task row after the commit (0005). */
export interface TaskCountDeltasTable {
  id: IntId;
  task_id: Int;
  count_queued: Generated<Int>;
  count_dispatched: Generated<Int>;
  count_running: Generated<Int>;
  count_uploading: Generated<Int>;
  count_succeeded: Generated<Int>;
  count_failed: Generated<Int>;
  count_timed_out: Generated<Int>;
  count_cancelled: Generated<Int>;
  count_expired: Generated<Int>;
  files_succeeded: Generated<Int>;
  created_at: Int;
}

export interface Database {
  endpoints: EndpointsTable;
  enroll_tokens: EnrollTokensTable;
  credentials: CredentialsTable;
  tasks: TasksTable;
  task_count_deltas: TaskCountDeltasTable;
  subtasks: SubtasksTable;
  file_ops: FileOpsTable;
  uploads: UploadsTable;
  upload_chunks: UploadChunksTable;
  contents: ContentsTable;
  links: LinksTable;
  audit_events: AuditEventsTable;
  sweeps: SweepsTable;
  sweep_progress: SweepProgressTable;
  file_elements: FileElementsTable;
  sweep_results: SweepResultsTable;
}
