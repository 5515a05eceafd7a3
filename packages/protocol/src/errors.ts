import { Type, type Static } from 'typebox';

/**
 * Every API error code Quarry returns. Codes are stable: once released, a code keeps its meaning,
 * and a retired code is listed in RETIRED_ERROR_CODES and never reused. The status and message of
 * each code live in `@quarry/core` (errors/catalogue.ts); docs/errors.md documents every one.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'ROUTE_NOT_FOUND',
  'ENDPOINT_NOT_FOUND',
  'ENDPOINT_AMBIGUOUS',
  'TASK_NOT_FOUND',
  'SUBTASK_NOT_FOUND',
  'FILE_NOT_FOUND',
  'CREDENTIAL_NOT_FOUND',
  'ENROLL_TOKEN_NOT_FOUND',
  'ENROLL_TOKEN_INVALID',
  'TARGETS_EMPTY',
  'TARGETS_TOO_MANY',
  'PATH_INVALID',
  'GLOB_INVALID',
  'ROOT_INVALID',
  'HASH_INVALID',
  'BUDGET_OUT_OF_RANGE',
  'ELEMENT_NOT_FOUND',
  'SWEEP_BATCH_OUT_OF_ORDER',
  'TASK_NOT_CANCELLABLE',
  'SUBTASK_INVALID_TRANSITION',
  'SUBTASK_NOT_ACTIVE',
  'UPLOAD_NOT_FOUND',
  'CHUNK_OUT_OF_RANGE',
  'CHUNK_SIZE_MISMATCH',
  'CHUNK_HASH_MISMATCH',
  'UPLOAD_INCOMPLETE',
  'UPLOAD_CHANGED',
  'FILE_HASH_MISMATCH',
  'LINK_INVALID',
  'LINK_EXPIRED',
  'RANGE_NOT_SATISFIABLE',
  'BLOB_NOT_FOUND',
  'STORAGE_FULL',
  'AGENT_CREDENTIAL_REQUIRED',
  'API_CREDENTIAL_REQUIRED',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that existed once and must never be reused. */
export const RETIRED_ERROR_CODES: readonly string[] = [];

/** The one error envelope of the native API and the agent API. */
export const ErrorEnvelopeSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable error code, see docs/errors.md' }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
      requestId: Type.String(),
    }),
  },
  { $id: 'ErrorEnvelope' },
);
export type ErrorEnvelope = Static<typeof ErrorEnvelopeSchema>;
