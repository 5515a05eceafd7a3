/**
 * Why one file or one subtask could not be retrieved. These are outcomes (data), not API errors:
 * they are stored on the subtask or file and shown to users as they are.
 */
export const FAILURE_CODES = [
  // reported by the agent
  'NOT_FOUND',
  'PERMISSION_DENIED',
  'IS_A_DIRECTORY',
  'TOO_LARGE',
  'DENIED_BY_POLICY',
  'CHANGED_WHILE_READING',
  'IO_ERROR',
  'INVALID_PATH',
  // decided by the server
  'HASH_MISMATCH',
  'SIZE_MISMATCH',
  'AGENT_UNRESPONSIVE',
  'SOME_FILES_FAILED',
  'INTERNAL',
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

/** Failure codes worth another attempt: the cause may be gone next time. */
export const RETRYABLE_FAILURE_CODES: readonly FailureCode[] = [
  'CHANGED_WHILE_READING',
  'IO_ERROR',
  'HASH_MISMATCH',
  'SIZE_MISMATCH',
  'AGENT_UNRESPONSIVE',
  'INTERNAL',
];

export function isRetryableFailure(code: FailureCode): boolean {
  return RETRYABLE_FAILURE_CODES.includes(code);
}
