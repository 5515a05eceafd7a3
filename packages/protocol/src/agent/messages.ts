import { literalUnion } from '../literal-union.js';
import { Type, type Static } from 'typebox';
import { OS_FAMILIES } from '../states.js';
import type { SweepCommand } from './sweep.js';

/** Paths of the agent API, relative to the server root. */
export const AGENT_PATHS = {
  enroll: '/agent/v1/enroll',
  ws: '/agent/v1/ws',
  poll: '/agent/v1/poll',
  started: (subtaskId: number) => `/agent/v1/subtasks/${subtaskId}/started`,
  begin: (fileOpId: number) => `/agent/v1/file-ops/${fileOpId}/begin`,
  fail: (fileOpId: number) => `/agent/v1/file-ops/${fileOpId}/fail`,
  chunk: (uploadId: string, index: number) => `/agent/v1/uploads/${uploadId}/chunks/${index}`,
  complete: (uploadId: string) => `/agent/v1/uploads/${uploadId}/complete`,
  content: (fileOpId: number) => `/agent/v1/file-ops/${fileOpId}/content`,
  sweepResults: (subtaskId: number) => `/agent/v1/subtasks/${subtaskId}/sweep-results`,
} as const;

/** Header carrying a chunk's sha256 (lower-case hex) on `PUT …/chunks/{index}`. */
export const CHUNK_SHA256_HEADER = 'x-quarry-chunk-sha256';

/** One file to fetch within a retrieval command. */
export const CommandFileSchema = Type.Object({
  fileOpId: Type.Integer(),
  path: Type.String(),
});

/** Work for one subtask attempt. Delivered again after reconnects until the subtask ends; agents de-duplicate by (subtaskId, attempt). */
export const RetrievalCommandSchema = Type.Object({
  subtaskId: Type.Integer(),
  taskId: Type.Integer(),
  attempt: Type.Integer({ minimum: 1 }),
  files: Type.Array(CommandFileSchema),
  /** Upload chunk size chosen by the server. */
  chunkSize: Type.Integer(),
  deadlineAt: Type.String({ format: 'date-time' }),
});
export type RetrievalCommand = Static<typeof RetrievalCommandSchema>;

/** Server → agent messages, on the WebSocket or in a long-poll response. */
export type ServerMessage =
  | { type: 'welcome'; endpointId: string; heartbeatIntervalMs: number; serverTime: string }
  | { type: 'retrieve'; command: RetrievalCommand }
  | { type: 'sweep'; command: SweepCommand }
  | { type: 'cancel'; subtaskId: number; attempt: number };

/** The messages that hand work to an agent. */
export type WorkMessage = Extract<ServerMessage, { type: 'retrieve' | 'sweep' }>;

/** Agent → server messages on the WebSocket. */
export type AgentMessage =
  | {
      type: 'hello';
      agentVersion: string;
      hostname: string;
      os: (typeof OS_FAMILIES)[number];
      osVersion: string;
      arch: string;
      ipAddresses: string[];
    }
  | { type: 'heartbeat' };

export const AgentMessageSchema = Type.Union([
  Type.Object({
    type: Type.Literal('hello'),
    agentVersion: Type.String({ maxLength: 50 }),
    hostname: Type.String({ maxLength: 255 }),
    os: literalUnion(OS_FAMILIES),
    osVersion: Type.String({ maxLength: 200 }),
    arch: Type.String({ maxLength: 50 }),
    ipAddresses: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 }),
  }),
  Type.Object({ type: Type.Literal('heartbeat') }),
]);

/** `GET /agent/v1/poll?waitSeconds=N`: long-poll fallback when WebSocket is refused. */
export const PollQuerySchema = Type.Object({
  waitSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, default: 25 })),
});
export const PollResponseSchema = Type.Object({ messages: Type.Array(Type.Unknown()) });
export interface PollResponse {
  messages: ServerMessage[];
}
