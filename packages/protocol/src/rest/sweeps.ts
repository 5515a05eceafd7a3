import { literalUnion } from '../literal-union.js';
import { Type, type Static } from 'typebox';
import { SUBTASK_STATES } from '../states.js';
import { MAX_TARGET_ENDPOINTS, SubtaskSchema, TaskSchema, type Subtask, type Task } from './retrievals.js';
import { Hex32, IntId, NullableTimestamp, PageQuery, Timestamp } from './common.js';

/** The budgets that bound one endpoint's sweep. */
export const SWEEP_BUDGET_NAMES = ['maxFiles', 'maxBytesHashed', 'maxDepth', 'maxSeconds'] as const;
export type SweepBudgetName = (typeof SWEEP_BUDGET_NAMES)[number];

/**
 * Default and allowed range of each budget. `maxFiles` counts regular files listed (matching or
 * not); `maxBytesHashed` bytes read to hash candidates; `maxDepth` directory levels below a root's
 * literal base (a file directly in it has depth 1, as with `find -maxdepth`); `maxSeconds` the
 * walk's wall-clock time on the endpoint.
 */
export const SWEEP_BUDGET_LIMITS: Readonly<Record<SweepBudgetName, { default: number; min: number; max: number }>> = {
  maxFiles: { default: 1_000_000, min: 1, max: 100_000_000 },
  maxBytesHashed: { default: 10 * 1024 ** 3, min: 1, max: 1024 ** 4 },
  maxDepth: { default: 64, min: 1, max: 1024 },
  maxSeconds: { default: 3600, min: 1, max: 86_400 },
};

/** Limits on one sweep's criteria. */
export const MAX_SWEEP_ROOTS = 32;
export const MAX_SWEEP_NAMES = 64;
export const MAX_SWEEP_HASHES = 10_000;

// Budgets are plain integers here: the service checks the ranges so that an out-of-range value
// gets its own code (BUDGET_OUT_OF_RANGE) rather than a generic schema failure.
export const SweepBudgetsSchema = Type.Object(
  {
    maxFiles: Type.Optional(Type.Integer()),
    maxBytesHashed: Type.Optional(Type.Integer()),
    maxDepth: Type.Optional(Type.Integer()),
    maxSeconds: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);
export type SweepBudgets = Static<typeof SweepBudgetsSchema>;

/**
 * `POST /api/v1/sweeps`. Roots, names and hashes are strings here and checked by the service, so
 * each kind of mistake has its stable code (ROOT_INVALID, GLOB_INVALID, HASH_INVALID).
 */
export const CreateSweepBody = Type.Object(
  {
    /** Endpoint ids (32-hex or 24-hex) or exact hostnames. */
    endpoints: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { minItems: 1, maxItems: MAX_TARGET_ENDPOINTS }),
    /** Absolute paths whose segments may be globs (`*`, `?`, `[…]`, and `**` as a whole segment). */
    roots: Type.Array(Type.String({ maxLength: 8192 }), { minItems: 1, maxItems: MAX_SWEEP_ROOTS }),
    /** Name globs (matched against the last path component); a file matches if any matches. */
    names: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: MAX_SWEEP_NAMES })),
    minSize: Type.Optional(Type.Integer({ minimum: 0 })),
    maxSize: Type.Optional(Type.Integer({ minimum: 0 })),
    /** Only files modified at or after this instant. */
    modifiedSince: Type.Optional(Type.String({ maxLength: 64 })),
    /** md5, sha1 or sha256 values (hex, told apart by length): a file matches if any of its hashes is listed. */
    hashes: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: MAX_SWEEP_HASHES })),
    budgets: Type.Optional(SweepBudgetsSchema),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 2_592_000 })),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  },
  { additionalProperties: false },
);
export type CreateSweepBody = Static<typeof CreateSweepBody>;

/** Criteria as validated and stored, with every budget filled in; what the agent receives. */
export const SweepCriteriaSchema = Type.Object({
  roots: Type.Array(Type.String()),
  names: Type.Array(Type.String()),
  minSize: Type.Union([Type.Integer(), Type.Null()]),
  maxSize: Type.Union([Type.Integer(), Type.Null()]),
  modifiedSince: NullableTimestamp,
  /** Lower-case hex. */
  hashes: Type.Array(Type.String()),
  budgets: Type.Object({
    maxFiles: Type.Integer(),
    maxBytesHashed: Type.Integer(),
    maxDepth: Type.Integer(),
    maxSeconds: Type.Integer(),
  }),
});
export type SweepCriteria = Static<typeof SweepCriteriaSchema>;

/** What one endpoint's walk counted. */
export const SweepCountersSchema = Type.Object({
  filesListed: Type.Integer(),
  filesMatched: Type.Integer(),
  bytesHashed: Type.Integer(),
  /** Directories and candidate files the agent could not read (permission, I/O error). */
  skippedUnreadable: Type.Integer(),
  /** Directories already walked (same device and inode), e.g. through overlapping roots or bind mounts. */
  skippedLoops: Type.Integer(),
  /** Files and directories the agent's deny/allow policy hides: neither listed nor hashed. */
  skippedDenied: Type.Integer(),
  /** Roots whose literal base does not exist on the endpoint. */
  rootsMissing: Type.Integer(),
  durationMs: Type.Integer(),
});
export type SweepCounters = Static<typeof SweepCountersSchema>;

/** Per-subtask sweep outcome shown by the API. */
export const SweepStatsSchema = Type.Intersect([
  SweepCountersSchema,
  Type.Object({
    /** True once the agent sent its final batch. */
    done: Type.Boolean(),
    /** True when a budget stopped or pruned the walk: the results are incomplete. */
    truncated: Type.Boolean(),
    budgetHit: Type.Union([literalUnion(SWEEP_BUDGET_NAMES), Type.Null()]),
    /** Results stored for this subtask. */
    results: Type.Integer(),
  }),
]);
export type SweepStats = Static<typeof SweepStatsSchema>;

export const SweepSubtaskSchema = Type.Intersect([SubtaskSchema, Type.Object({ sweep: SweepStatsSchema })], { $id: 'SweepSubtask' });
export type SweepSubtask = Subtask & { sweep: SweepStats };

export const SweepTaskSchema = Type.Intersect([TaskSchema, Type.Object({ criteria: SweepCriteriaSchema })], { $id: 'SweepTask' });
export type SweepTask = Task & { criteria: SweepCriteria };

/** `GET /api/v1/sweeps/{id}`: the task, its criteria and one page of its subtasks. */
export const GetSweepQuery = Type.Intersect([PageQuery, Type.Object({ state: Type.Optional(literalUnion(SUBTASK_STATES)) })]);
export type GetSweepQuery = Static<typeof GetSweepQuery>;
export const SweepDetailSchema = Type.Intersect([
  SweepTaskSchema,
  Type.Object({ subtasks: Type.Object({ items: Type.Array(SweepSubtaskSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) }),
]);
export type SweepDetail = SweepTask & { subtasks: { items: SweepSubtask[]; nextCursor: string | null } };

/** A file a sweep found: an endpoint's file as last seen, with a stable id. */
export const FileElementSchema = Type.Object(
  {
    id: IntId,
    /** Stable opaque id, for APIs that address elements by string. */
    guid: Type.String(),
    endpointId: Hex32,
    hostname: Type.String(),
    path: Type.String(),
    name: Type.String(),
    size: Type.Integer(),
    mtime: NullableTimestamp,
    owner: Type.Union([Type.String(), Type.Null()]),
    md5: Type.String(),
    sha1: Type.String(),
    sha256: Type.String(),
    firstSeenAt: Timestamp,
    lastSeenAt: Timestamp,
    lastTaskId: IntId,
  },
  { $id: 'FileElement' },
);
export type FileElement = Static<typeof FileElementSchema>;

/** One result of a sweep: the element it found (as the element is now) and when this sweep saw it. */
export const SweepResultSchema = Type.Object(
  {
    /** Result id: results are listed in arrival order. */
    id: IntId,
    taskId: IntId,
    subtaskId: IntId,
    seenAt: Timestamp,
    element: FileElementSchema,
  },
  { $id: 'SweepResult' },
);
export type SweepResult = Static<typeof SweepResultSchema>;

/** md5, sha1 or sha256, told apart by length. */
const HashFilter = Type.String({ pattern: '^([0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$' });

export const ListSweepResultsQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    endpointId: Type.Optional(Type.String({ maxLength: 255 })),
    /** A name glob (`*.js`) or an exact name; case-insensitive. */
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    hash: Type.Optional(HashFilter),
  }),
]);
export type ListSweepResultsQuery = Static<typeof ListSweepResultsQuery>;

/**
 * A page of results. `resumeCursor` points after the last item returned (or repeats the cursor
 * given when none was): pass it back to receive results that arrive later, while the sweep runs.
 */
export const SweepResultsPageSchema = Type.Object({
  items: Type.Array(SweepResultSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  resumeCursor: Type.Union([Type.String(), Type.Null()]),
});
export interface SweepResultsPage {
  items: SweepResult[];
  nextCursor: string | null;
  resumeCursor: string | null;
}

export const ListElementsQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    endpointId: Type.Optional(Type.String({ maxLength: 255 })),
    /** A name glob or exact name; case-insensitive. */
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    /** A substring of the path, or a glob when it holds `*` or `?` (`*` then also crosses `/`); case-insensitive. */
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    hash: Type.Optional(HashFilter),
  }),
]);
export type ListElementsQuery = Static<typeof ListElementsQuery>;
