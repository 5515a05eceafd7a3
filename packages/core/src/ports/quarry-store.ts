import type { AuditStore } from './audit-store.js';
import type { CredentialStore } from './credential-store.js';
import type { ElementStore } from './element-store.js';
import type { EndpointStore } from './endpoint-store.js';
import type { EnrollTokenStore } from './enroll-token-store.js';
import type { FileOpStore } from './file-op-store.js';
import type { LinkStore } from './link-store.js';
import type { SubtaskStore } from './subtask-store.js';
import type { SweepStore } from './sweep-store.js';
import type { TaskStore } from './task-store.js';
import type { UploadStore } from './upload-store.js';

/**
 * Everything core persists, as capability-sized stores, plus transactions. Inside `transaction`
 * the callback gets a store bound to the transaction; calling `transaction` on it again joins the
 * same transaction. Never use the outer store inside the callback: on single-connection databases
 * that waits for the transaction itself.
 *
 * @example
 * await store.transaction(async (tx) => {
 *   if (await tx.subtasks.update(id, { state: 'queued' }, { state: 'cancelled' })) await tx.tasks.setStatus(taskId, 'cancelled', now, now);
 * });
 */
export interface QuarryStore {
  endpoints: EndpointStore;
  credentials: CredentialStore;
  enrollTokens: EnrollTokenStore;
  tasks: TaskStore;
  subtasks: SubtaskStore;
  fileOps: FileOpStore;
  uploads: UploadStore;
  links: LinkStore;
  audit: AuditStore;
  sweeps: SweepStore;
  elements: ElementStore;
  transaction<T>(fn: (tx: QuarryStore) => Promise<T>): Promise<T>;
}
