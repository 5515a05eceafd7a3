import type {
  AuditEvent,
  BeginBody,
  BeginResponse,
  ChunkResponse,
  CompleteBody,
  CompleteResponse,
  ContentQuery,
  ContentResponse,
  CreateCredentialBody,
  CreateEnrollTokenBody,
  CreateLinkBody,
  CreateRetrievalBody,
  Credential,
  DownloadFormat,
  DownloadLink,
  Endpoint,
  EnrollRequest,
  EnrollResponse,
  EnrollToken,
  FailBody,
  GetRetrievalQuery,
  ListAuditQuery,
  ListEndpointsQuery,
  ListFilesQuery,
  ListTasksQuery,
  PageOf,
  PageQuery,
  RetrievalCommand,
  RetrievalDetail,
  RetrievedFile,
  Subtask,
  Task,
  TaskSource,
  AgentMessage,
  SweepResultsBody,
  SweepResultsResponse,
  WorkMessage,
} from '@quarry/protocol';
// Type-only: chunk bodies arrive as Node streams from the HTTP layer.
import type { Readable } from 'node:stream';
import type { ContentRef } from '../ports/chunk-vault.js';
import type { Actor, AgentPrincipal, ApiPrincipal } from './actor.js';
import type { ElementService, SweepService } from './sweep-contracts.js';

/**
 * The use cases the server exposes. Every method validates its input beyond the schema, throws
 * catalogued AppErrors, writes the audit log for changes, and publishes DomainEvents.
 * Facades (vendor APIs) call the same services; none has its own state.
 */
export interface QuarryServices {
  auth: AuthService;
  credentials: CredentialService;
  enrollment: EnrollmentService;
  endpoints: EndpointService;
  retrievals: RetrievalService;
  agentWork: AgentWorkService;
  files: FileService;
  audit: AuditService;
  engine: EngineService;
  sweeps: SweepService;
  elements: ElementService;
}

export interface AuthService {
  /** `qk_…` keys. Null when unknown, malformed or revoked. */
  authenticateApiKey(key: string): Promise<ApiPrincipal | null>;
  /** `qa_…` keys. Null when unknown or malformed. */
  authenticateAgent(key: string): Promise<AgentPrincipal | null>;
  /**
   * First-start bootstrap: when no active admin credential exists, creates one (from `presetKey`
   * when given, `qk_<16 hex>.<secret>`) and returns its key; otherwise returns `{ created: false }`.
   */
  ensureAdmin(presetKey?: string): Promise<{ created: boolean; key?: string }>;
}

export interface CredentialService {
  create(actor: Actor, body: CreateCredentialBody): Promise<Credential>;
  list(query: PageQuery): Promise<PageOf<Credential>>;
  revoke(actor: Actor, id: string): Promise<Credential>;
}

export interface EnrollmentService {
  createToken(actor: Actor, body: CreateEnrollTokenBody): Promise<EnrollToken>;
  listTokens(query: PageQuery): Promise<PageOf<EnrollToken>>;
  revokeToken(actor: Actor, id: string): Promise<EnrollToken>;
  /** Consumes one use of the token and creates the endpoint with a fresh agent credential. */
  enroll(request: EnrollRequest, ip: string | null): Promise<EnrollResponse>;
}

export interface EndpointService {
  list(query: ListEndpointsQuery): Promise<PageOf<Endpoint>>;
  /** By 32-hex id, 24-hex short id, or exact hostname (ENDPOINT_AMBIGUOUS if several share it). */
  get(ref: string): Promise<Endpoint>;
  /** Agent connected (or polled) on this node; records its self-description. */
  markConnected(endpointId: string, hello: Extract<AgentMessage, { type: 'hello' }> | null, ip: string | null): Promise<void>;
  markSeen(endpointId: string): Promise<void>;
  markDisconnected(endpointId: string): Promise<void>;
}

export interface RetrievalService {
  create(actor: Actor, body: CreateRetrievalBody, source?: TaskSource): Promise<Task>;
  list(query: ListTasksQuery): Promise<PageOf<Task>>;
  get(taskId: number, query?: GetRetrievalQuery): Promise<RetrievalDetail>;
  getTask(taskId: number): Promise<Task>;
  getSubtask(subtaskId: number): Promise<Subtask>;
  cancel(actor: Actor, taskId: number): Promise<Task>;
  cancelSubtask(actor: Actor, subtaskId: number): Promise<Subtask>;
}

/** The agent-facing half of the task engine. `endpointId` is the authenticated agent. */
export interface AgentWorkService {
  /**
   * Moves this endpoint's due queued subtasks to `dispatched` and returns their commands. With
   * `resendInFlight`, also returns commands of subtasks already dispatched/running/uploading
   * (after a reconnect or a server restart the agent must hear of them again).
   */
  claimCommands(endpointId: string, options: { resendInFlight: boolean }): Promise<RetrievalCommand[]>;
  /**
   * Like claimCommands for every task kind: retrieval and sweep work as the messages that carry
   * it. Agent hubs use this one; claimCommands leaves other kinds queued.
   */
  claimWork(endpointId: string, options: { resendInFlight: boolean }): Promise<WorkMessage[]>;
  /**
   * Which of these endpoints have due queued work (cheap, takes no locks): the agent hub's
   * periodic sweep, the safety net for a lost work-available notification.
   */
  endpointsWithWork(endpointIds: readonly string[]): Promise<string[]>;
  /**
   * claimWork (without resending in-flight work) for up to 250 endpoints in one transaction: how a
   * node fans a task out to thousands of connected agents. Endpoints without work are absent.
   */
  claimWorkBatch(endpointIds: readonly string[]): Promise<Map<string, WorkMessage[]>>;
  /** A batch of sweep results (see SweepWorkService.recordResults). */
  sweepResults(endpointId: string, subtaskId: number, body: SweepResultsBody): Promise<SweepResultsResponse>;
  started(endpointId: string, subtaskId: number, attempt: number): Promise<void>;
  begin(endpointId: string, fileOpId: number, body: BeginBody): Promise<BeginResponse>;
  putChunk(
    endpointId: string,
    input: { uploadId: string; index: number; sha256: string; contentLength: number; body: Readable },
  ): Promise<ChunkResponse>;
  complete(endpointId: string, uploadId: string, body: CompleteBody): Promise<CompleteResponse>;
  /** A small file whole, in one request (see INLINE_CONTENT_MAX_BYTES). */
  putContent(endpointId: string, input: { fileOpId: number; query: ContentQuery; contentLength: number; body: Readable }): Promise<ContentResponse>;
  fail(endpointId: string, fileOpId: number, body: FailBody): Promise<void>;
}

/** What a valid download link opens. */
export interface OpenedLink {
  linkId: string;
  file: RetrievedFile;
  format: DownloadFormat;
  /** Zip password; null for raw links. */
  password: string | null;
  content: ContentRef;
}

export interface FileService {
  list(query: ListFilesQuery): Promise<PageOf<RetrievedFile>>;
  get(fileId: number): Promise<RetrievedFile>;
  /** Signs a short-lived link; for zip, generates (or takes) the password and returns it. */
  createLink(actor: Actor, fileId: number, body: CreateLinkBody, baseUrl: string): Promise<DownloadLink>;
  /** Verifies signature and expiry (LINK_INVALID / LINK_EXPIRED), audits the download. */
  openLink(token: string, ip: string | null): Promise<OpenedLink>;
  /** Content of a file for in-process consumers (vendor facades stream it themselves). */
  contentOf(fileId: number): Promise<{ file: RetrievedFile; content: ContentRef }>;
}

export interface AuditService {
  list(query: ListAuditQuery): Promise<PageOf<AuditEvent>>;
  record(actor: Actor, action: string, target: { type: string; id: string } | null, details?: Record<string, unknown>): Promise<void>;
}

export interface EngineService {
  /**
   * Time-driven transitions at `clock.now()`: expire queued work past its TTL, time out or retry
   * inactive subtasks, release retries whose back-off elapsed (publishing work-available), and
   * delete the chunks of partial uploads whose subtask ended (uploadsDiscarded).
   * Safe to run on several nodes at once: each transition is a conditional update.
   */
  tick(): Promise<{ expired: number; timedOut: number; retried: number; released: number; uploadsDiscarded: number }>;
}
