import { literalUnion } from '../literal-union.js';
import { Type, type Static } from 'typebox';
import { FAILURE_CODES } from '../failure-codes.js';
import { FILE_OP_STATES, SUBTASK_STATES, TASK_KINDS, TASK_SOURCES, TASK_STATUSES } from '../states.js';
import { Hex32, IntId, NullableTimestamp, Page, PageQuery, Timestamp } from './common.js';

/** Limits on one create call; the server may lower them by config, never raise. */
export const MAX_TARGET_ENDPOINTS = 10_000;
export const MAX_TARGET_PATHS = 100;
export const MAX_PATH_LENGTH = 4096;
export const MAX_TARGET_ELEMENTS = 1000;

export const CreateRetrievalBody = Type.Object(
  {
    /** Endpoint ids (32-hex or 24-hex) or exact hostnames. Required unless `elements` is given. */
    endpoints: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { minItems: 1, maxItems: MAX_TARGET_ENDPOINTS })),
    /** Absolute paths: `/etc/hosts`, `C:\\Windows\\win.ini`, `\\\\server\\share\\f`. Required unless `elements` is given. */
    paths: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: MAX_PATH_LENGTH }), { minItems: 1, maxItems: MAX_TARGET_PATHS })),
    /** Instead of endpoints and paths: file element ids found by sweeps (one subtask per endpoint, with its elements' paths). */
    elements: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: MAX_TARGET_ELEMENTS })),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    /** How long queued work waits for an offline endpoint before it expires. */
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 2_592_000 })),
    /** Attempts per subtask, counting the first. */
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  },
  { additionalProperties: false },
);
export type CreateRetrievalBody = Static<typeof CreateRetrievalBody>;

const counts = Object.fromEntries(SUBTASK_STATES.map((s) => [s, Type.Integer()])) as Record<
  (typeof SUBTASK_STATES)[number],
  ReturnType<typeof Type.Integer>
>;

export const TaskSchema = Type.Object(
  {
    id: IntId,
    kind: literalUnion(TASK_KINDS),
    name: Type.String(),
    status: literalUnion(TASK_STATUSES),
    source: literalUnion(TASK_SOURCES),
    paths: Type.Array(Type.String()),
    createdBy: Type.String(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    expiresAt: Timestamp,
    finishedAt: NullableTimestamp,
    ttlSeconds: Type.Integer(),
    maxAttempts: Type.Integer(),
    counts: Type.Object({ total: Type.Integer(), ...counts }),
  },
  { $id: 'Task' },
);
export type Task = Static<typeof TaskSchema>;

export const FailureCodeSchema = literalUnion(FAILURE_CODES);

export const FileOpSchema = Type.Object(
  {
    id: IntId,
    path: Type.String(),
    state: literalUnion(FILE_OP_STATES),
    failureCode: Type.Union([FailureCodeSchema, Type.Null()]),
    failureMessage: Type.Union([Type.String(), Type.Null()]),
    size: Type.Union([Type.Integer(), Type.Null()]),
    bytesDone: Type.Integer(),
    /** Set once the file is retrieved and verified: the id for /api/v1/files/{id}. */
    fileId: Type.Union([IntId, Type.Null()]),
  },
  { $id: 'FileOp' },
);
export type FileOp = Static<typeof FileOpSchema>;

export const SubtaskSchema = Type.Object(
  {
    id: IntId,
    taskId: IntId,
    endpointId: Hex32,
    hostname: Type.String(),
    state: literalUnion(SUBTASK_STATES),
    attempt: Type.Integer({ description: 'Attempts started so far (0 while first queued)' }),
    maxAttempts: Type.Integer(),
    failureCode: Type.Union([FailureCodeSchema, Type.Null()]),
    failureMessage: Type.Union([Type.String(), Type.Null()]),
    bytesTotal: Type.Union([Type.Integer(), Type.Null()]),
    bytesDone: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    dispatchedAt: NullableTimestamp,
    startedAt: NullableTimestamp,
    finishedAt: NullableTimestamp,
    deadlineAt: NullableTimestamp,
    nextAttemptAt: NullableTimestamp,
    files: Type.Array(FileOpSchema),
  },
  { $id: 'Subtask' },
);
export type Subtask = Static<typeof SubtaskSchema>;

export const ListTasksQuery = Type.Intersect([
  PageQuery,
  Type.Object({ status: Type.Optional(literalUnion(TASK_STATUSES)) }),
]);
export type ListTasksQuery = Static<typeof ListTasksQuery>;

/** `GET /api/v1/retrievals/{id}`: the task plus one page of its subtasks. */
export const GetRetrievalQuery = Type.Intersect([
  PageQuery,
  Type.Object({ state: Type.Optional(literalUnion(SUBTASK_STATES)) }),
]);
export type GetRetrievalQuery = Static<typeof GetRetrievalQuery>;

export const RetrievalDetailSchema = Type.Intersect([TaskSchema, Type.Object({ subtasks: Page(SubtaskSchema) })]);
export type RetrievalDetail = Task & { subtasks: { items: Subtask[]; nextCursor: string | null } };

/** Server-sent event payloads on `GET /api/v1/retrievals/{id}/events`. */
export interface ProgressEvent {
  type: 'progress';
  taskId: number;
  subtaskId: number;
  endpointId: string;
  state: (typeof SUBTASK_STATES)[number];
  bytesDone: number;
  bytesTotal: number | null;
  failureCode: (typeof FAILURE_CODES)[number] | null;
}
export interface TaskStatusEvent {
  type: 'task';
  taskId: number;
  status: (typeof TASK_STATUSES)[number];
  counts: Task['counts'];
}
export type RetrievalEvent = ProgressEvent | TaskStatusEvent;
