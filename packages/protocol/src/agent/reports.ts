import { literalUnion } from '../literal-union.js';
import { Type, type Static } from 'typebox';
import { FAILURE_CODES } from '../failure-codes.js';

const Hex = (n: number) => Type.String({ pattern: `^[0-9a-f]{${n}}$` });

/** `POST /agent/v1/subtasks/{id}/started`: the agent has begun the attempt. */
export const StartedBodySchema = Type.Object({ attempt: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export type StartedBody = Static<typeof StartedBodySchema>;

/**
 * `POST /agent/v1/file-ops/{id}/begin`: the agent asks whether and where to upload a file.
 *
 * With `sha256` (the agent has read the file once to hash it), the server answers `skip` when it
 * already holds that content, else an upload plan (resuming the file op's open upload when it is
 * for the same bytes). Without it, the agent offers to hash the file while uploading it, reading
 * it once instead of twice: the server agrees (an upload plan, the sha256 declared at complete)
 * only when nothing it holds has the file's size, so deduplication cannot be missed, and when
 * there is no upload to resume; otherwise it answers `hash`: begin again with the sha256.
 */
export const BeginBodySchema = Type.Object(
  {
    attempt: Type.Integer({ minimum: 1 }),
    size: Type.Integer({ minimum: 0 }),
    mtimeMs: Type.Union([Type.Number(), Type.Null()]),
    sha256: Type.Optional(Hex(64)),
  },
  { additionalProperties: false },
);
export type BeginBody = Static<typeof BeginBodySchema>;

export type BeginResponse =
  | { action: 'skip'; fileId: number }
  | { action: 'hash' }
  | { action: 'upload'; uploadId: string; chunkSize: number; chunkCount: number; receivedChunks: number[] };

/** `POST /agent/v1/uploads/{uploadId}/complete`: every chunk is sent; here are the whole-file hashes. */
export const CompleteBodySchema = Type.Object(
  { md5: Hex(32), sha1: Hex(40), sha256: Hex(64) },
  { additionalProperties: false },
);
export type CompleteBody = Static<typeof CompleteBodySchema>;
export interface CompleteResponse {
  fileId: number;
}

/**
 * Largest file an agent sends whole with `PUT /agent/v1/file-ops/{id}/content` instead of
 * begin, chunks and complete. Below this size the three round trips (and their transactions) cost
 * far more than sending bytes the server might already hold; it is well under the smallest chunk
 * size, so such a file is always a one-chunk upload.
 */
export const INLINE_CONTENT_MAX_BYTES = 256 * 1024;

/**
 * Query of `PUT /agent/v1/file-ops/{id}/content`: a small file in one request. The body is the
 * file (Content-Length required, at most INLINE_CONTENT_MAX_BYTES); the server checks it against
 * `sha256` before storing it, and links content it already holds without storing it again.
 */
export const ContentQuerySchema = Type.Object(
  {
    attempt: Type.Integer({ minimum: 1 }),
    /** Milliseconds since the epoch; absent when the platform gave none. */
    mtimeMs: Type.Optional(Type.Number()),
    md5: Hex(32),
    sha1: Hex(40),
    sha256: Hex(64),
  },
  { additionalProperties: false },
);
export type ContentQuery = Static<typeof ContentQuerySchema>;
export interface ContentResponse {
  fileId: number;
  /** True when the server already held these bytes and stored nothing new. */
  deduplicated: boolean;
}

/** `PUT /agent/v1/uploads/{uploadId}/chunks/{index}` answers this. */
export interface ChunkResponse {
  index: number;
  /** True when the server already held this chunk with this hash (an idempotent repeat). */
  duplicate: boolean;
}

/** `POST /agent/v1/file-ops/{id}/fail`: the agent could not retrieve this file. */
export const FailBodySchema = Type.Object(
  {
    attempt: Type.Integer({ minimum: 1 }),
    code: literalUnion(FAILURE_CODES),
    message: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type FailBody = Static<typeof FailBodySchema>;
