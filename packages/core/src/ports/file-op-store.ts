import type { FailureCode, FileOpState } from '@quarry/protocol';
import type { PageRequest } from './page.js';

/** One path within one subtask, as stored. A succeeded file op is a retrieved file (same id). */
export interface FileOpRecord {
  id: number;
  subtaskId: number;
  taskId: number;
  endpointId: string;
  path: string;
  state: FileOpState;
  failureCode: FailureCode | null;
  failureMessage: string | null;
  size: number | null;
  /** File modification time reported by the agent, epoch ms. */
  mtime: number | null;
  bytesDone: number;
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
  /** The upload currently collecting this file's chunks (kept across attempts for resuming). */
  uploadId: string | null;
  /** Set on success: the content row holding the bytes. */
  contentSha256: string | null;
  retrievedAt: number | null;
}

export type NewFileOpRecord = Pick<FileOpRecord, 'subtaskId' | 'taskId' | 'endpointId' | 'path'>;
export type FileOpPatch = Partial<Omit<FileOpRecord, 'id' | 'subtaskId' | 'taskId' | 'endpointId' | 'path'>>;

/** A succeeded file op with the hostname of its endpoint, as the file list shows it. */
export interface RetrievedFileRecord extends FileOpRecord {
  hostname: string;
}

export interface RetrievedFileFilter {
  taskId?: number | undefined;
  endpointId?: string | undefined;
  md5?: string | undefined;
  sha1?: string | undefined;
  sha256?: string | undefined;
}

/**
 * File operations, listed in id order.
 *
 * @example await store.fileOps.update(id, { state: ['pending', 'uploading'] }, { state: 'failed', failureCode: 'IO_ERROR' });
 */
export interface FileOpStore {
  insertMany(records: readonly NewFileOpRecord[]): Promise<void>;
  get(id: number): Promise<FileOpRecord | null>;
  listBySubtasks(subtaskIds: readonly number[]): Promise<FileOpRecord[]>;
  /** Conditional on the current state when `expectStates` is given; true when the row matched. */
  update(id: number, expectStates: readonly FileOpState[] | null, patch: FileOpPatch): Promise<boolean>;
  /** Moves every file op of the subtask that is in `from` to `patch`. Returns how many moved. */
  updateBySubtask(subtaskId: number, from: readonly FileOpState[], patch: FileOpPatch): Promise<number>;
  /** updateBySubtask for many subtasks at once (a task's cancel). Returns how many moved in all. */
  updateBySubtasks(subtaskIds: readonly number[], from: readonly FileOpState[], patch: FileOpPatch): Promise<number>;
  /** Atomically adds `delta` to `bytes_done` (chunks arrive concurrently). */
  addBytesDone(id: number, delta: number): Promise<void>;
  /** Sum of known sizes and of bytes done over the subtask's file ops. */
  sumBytes(subtaskId: number): Promise<{ total: number | null; done: number }>;
  listRetrieved(filter: RetrievedFileFilter, page: PageRequest<number>): Promise<RetrievedFileRecord[]>;
  getRetrieved(id: number): Promise<RetrievedFileRecord | null>;
}
