import { literalUnion } from '../literal-union.js';
import { Type, type Static } from 'typebox';
import { FAILURE_CODES } from '../failure-codes.js';
import { SWEEP_BUDGET_NAMES, SweepCountersSchema, SweepCriteriaSchema } from '../rest/sweeps.js';

const Hex = (n: number) => Type.String({ pattern: `^[0-9a-f]{${n}}$` });

/** Results per batch the agent may send; it sends fewer, every second or so, while it walks. */
export const MAX_SWEEP_BATCH = 2000;

/** Work for one sweep attempt. Re-delivered after reconnects; agents de-duplicate by (subtaskId, attempt). */
export const SweepCommandSchema = Type.Object({
  subtaskId: Type.Integer(),
  taskId: Type.Integer(),
  attempt: Type.Integer({ minimum: 1 }),
  criteria: SweepCriteriaSchema,
  deadlineAt: Type.String({ format: 'date-time' }),
});
export type SweepCommand = Static<typeof SweepCommandSchema>;

/** One file found. */
export const SweepResultRowSchema = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 8192 }),
    size: Type.Integer({ minimum: 0 }),
    mtimeMs: Type.Union([Type.Number(), Type.Null()]),
    owner: Type.Union([Type.String({ maxLength: 255 }), Type.Null()]),
    md5: Hex(32),
    sha1: Hex(40),
    sha256: Hex(64),
  },
  { additionalProperties: false },
);
export type SweepResultRow = Static<typeof SweepResultRowSchema>;

/**
 * `POST /agent/v1/subtasks/{id}/sweep-results`: one batch. `seq` counts batches of the attempt from
 * 0; a repeat of a stored batch is acknowledged without effect, so retrying a POST is safe. The last
 * batch carries `done` (the subtask succeeds, truncated or not) or `failure` (it fails or retries).
 */
export const SweepResultsBodySchema = Type.Object(
  {
    attempt: Type.Integer({ minimum: 1 }),
    seq: Type.Integer({ minimum: 0 }),
    results: Type.Array(SweepResultRowSchema, { maxItems: MAX_SWEEP_BATCH }),
    progress: Type.Optional(SweepCountersSchema),
    done: Type.Optional(
      Type.Intersect([
        SweepCountersSchema,
        Type.Object({ truncated: Type.Boolean(), budgetHit: Type.Union([literalUnion(SWEEP_BUDGET_NAMES), Type.Null()]) }),
      ]),
    ),
    failure: Type.Optional(Type.Object({ code: literalUnion(FAILURE_CODES), message: Type.String({ maxLength: 2000 }) })),
  },
  { additionalProperties: false },
);
export type SweepResultsBody = Static<typeof SweepResultsBodySchema>;

export interface SweepResultsResponse {
  seq: number;
  /** True when this batch had been stored before (a retried POST). */
  duplicate: boolean;
}
