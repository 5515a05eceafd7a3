import type { ErrorCode } from '@quarry/protocol';
import { AppError, type ErrorSpec } from './app-error.js';

/**
 * Status and message of every error code. One table rather than one file per code: the codes are
 * short-lived values with no behaviour, and a single table is what tests compare with docs/errors.md.
 */
export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, ErrorSpec>> = {
  VALIDATION_FAILED: { status: 400, message: (d) => `request is invalid${d.reason ? `: ${String(d.reason)}` : ''}` },
  BODY_TOO_LARGE: { status: 413, message: 'request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'unsupported content type' },
  UNAUTHENTICATED: { status: 401, message: 'missing or invalid credential' },
  FORBIDDEN: { status: 403, message: (d) => `this credential may not ${String(d.permission ?? 'do that')}` },
  NOT_FOUND: { status: 404, message: 'not found' },
  ROUTE_NOT_FOUND: { status: 404, message: (d) => `no route ${String(d.method ?? '')} ${String(d.url ?? '')}`.trim() },
  ENDPOINT_NOT_FOUND: { status: 404, message: (d) => `unknown endpoint ${JSON.stringify(d.endpoint ?? '')}` },
  ENDPOINT_AMBIGUOUS: { status: 409, message: (d) => `hostname ${JSON.stringify(d.endpoint ?? '')} matches several endpoints; use an id` },
  TASK_NOT_FOUND: { status: 404, message: (d) => `task ${String(d.taskId ?? '')} does not exist` },
  SUBTASK_NOT_FOUND: { status: 404, message: (d) => `subtask ${String(d.subtaskId ?? '')} does not exist` },
  FILE_NOT_FOUND: { status: 404, message: (d) => `file ${String(d.fileId ?? '')} does not exist` },
  CREDENTIAL_NOT_FOUND: { status: 404, message: 'credential does not exist' },
  ENROLL_TOKEN_NOT_FOUND: { status: 404, message: 'enrolment token does not exist' },
  ENROLL_TOKEN_INVALID: { status: 401, message: 'enrolment token is unknown, expired, revoked or used up' },
  TARGETS_EMPTY: { status: 400, message: 'at least one endpoint and one path are required' },
  TARGETS_TOO_MANY: { status: 400, message: (d) => `too many targets: at most ${String(d.max ?? '')} ${String(d.what ?? '')}` },
  PATH_INVALID: { status: 400, message: (d) => `path ${JSON.stringify(d.path ?? '')} is invalid: ${String(d.reason ?? '')}` },
  GLOB_INVALID: { status: 400, message: (d) => `glob ${JSON.stringify(d.pattern ?? '')} is malformed: ${String(d.reason ?? '')}` },
  ROOT_INVALID: { status: 400, message: (d) => `root ${JSON.stringify(d.root ?? '')} is invalid: ${String(d.reason ?? '')}` },
  HASH_INVALID: { status: 400, message: (d) => `hash ${JSON.stringify(d.hash ?? '')} is not md5, sha1 or sha256 hex (32, 40 or 64 hex digits)` },
  BUDGET_OUT_OF_RANGE: { status: 400, message: (d) => `budget ${String(d.budget ?? '')} must be between ${String(d.min ?? '')} and ${String(d.max ?? '')}` },
  ELEMENT_NOT_FOUND: { status: 404, message: (d) => `file element ${String(d.elementId ?? '')} does not exist` },
  SWEEP_BATCH_OUT_OF_ORDER: { status: 409, message: (d) => `sweep result batch ${String(d.seq ?? '')} arrived before batch ${String(d.expected ?? '')}` },
  TASK_NOT_CANCELLABLE: { status: 409, message: 'the task has already ended' },
  SUBTASK_INVALID_TRANSITION: { status: 409, message: (d) => `subtask cannot go from ${String(d.from)} to ${String(d.to)}` },
  SUBTASK_NOT_ACTIVE: { status: 409, message: 'the subtask is not active (cancelled, ended or reassigned)' },
  UPLOAD_NOT_FOUND: { status: 404, message: 'upload does not exist' },
  CHUNK_OUT_OF_RANGE: { status: 400, message: (d) => `chunk ${String(d.index)} is outside 0..${String(d.last)}` },
  CHUNK_SIZE_MISMATCH: { status: 400, message: (d) => `chunk must be ${String(d.expected)} bytes, got ${String(d.actual)}` },
  CHUNK_HASH_MISMATCH: { status: 422, message: 'chunk sha256 does not match its bytes' },
  UPLOAD_INCOMPLETE: { status: 409, message: (d) => `chunks missing: ${JSON.stringify(d.missing ?? [])}` },
  UPLOAD_CHANGED: { status: 409, message: 'a chunk was replaced while the upload was being completed; complete it again' },
  FILE_HASH_MISMATCH: { status: 422, message: 'the whole file does not match its sha256' },
  LINK_INVALID: { status: 403, message: 'download link is invalid' },
  LINK_EXPIRED: { status: 403, message: 'download link has expired; create a new one' },
  RANGE_NOT_SATISFIABLE: { status: 416, message: 'requested range is not satisfiable' },
  BLOB_NOT_FOUND: { status: 404, message: 'stored content is missing' },
  STORAGE_FULL: { status: 503, message: 'storage is full; retry later', retryable: true },
  AGENT_CREDENTIAL_REQUIRED: { status: 403, message: 'this route is for agents; an API credential was given' },
  API_CREDENTIAL_REQUIRED: { status: 403, message: 'this route is for API users; an agent credential was given' },
  RATE_LIMITED: { status: 429, message: 'too many requests', retryable: true },
  INTERNAL: { status: 500, message: 'internal error', retryable: true },
};

/** Builds the catalogued error for `code`. */
export function appError(code: ErrorCode, details?: Record<string, unknown>, options?: { cause?: unknown }): AppError {
  return new AppError(code, ERROR_CATALOGUE[code], details, options);
}
