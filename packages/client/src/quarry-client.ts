import type {
  AuditEvent,
  CreateCredentialBody,
  CreateEnrollTokenBody,
  CreateLinkBody,
  CreateRetrievalBody,
  Credential,
  DownloadLink,
  Endpoint,
  EnrollToken,
  GetRetrievalQuery,
  ListAuditQuery,
  ListEndpointsQuery,
  ListFilesQuery,
  ListTasksQuery,
  PageOf,
  PageQuery,
  RetrievalDetail,
  RetrievalEvent,
  RetrievedFile,
  Subtask,
  Task,
  WhoAmI,
  CreateSweepBody,
  FileElement,
  GetSweepQuery,
  ListElementsQuery,
  ListSweepResultsQuery,
  SweepDetail,
  SweepResultsPage,
  SweepTask,
} from '@quarry/protocol';
import { downloadToFile, type DownloadOptions, type DownloadResult } from './download-to-file.js';
import { requestJson, type Transport } from './http.js';
import { paginate } from './paginate.js';
import { streamRetrievalEvents, type StreamEventsOptions } from './stream-retrieval-events.js';

export interface QuarryClientOptions {
  /** Server root, e.g. `http://127.0.0.1:8080` (the `/api/v1` prefix is added). */
  baseUrl: string;
  /** `qk_…` API key, sent as a bearer token. */
  apiKey: string;
  fetch?: typeof fetch;
  userAgent?: string;
}

/** Per-call options shared by every method. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Typed access to the native REST API: one method per route. */
export interface QuarryClient {
  readonly baseUrl: string;
  me(o?: CallOptions): Promise<WhoAmI>;

  listEndpoints(query?: ListEndpointsQuery, o?: CallOptions): Promise<PageOf<Endpoint>>;
  /** By 32-hex id, 24-hex short id or exact hostname. */
  getEndpoint(ref: string, o?: CallOptions): Promise<Endpoint>;

  createEnrollToken(body: CreateEnrollTokenBody, o?: CallOptions): Promise<EnrollToken>;
  listEnrollTokens(query?: PageQuery, o?: CallOptions): Promise<PageOf<EnrollToken>>;
  revokeEnrollToken(id: string, o?: CallOptions): Promise<EnrollToken>;

  createCredential(body: CreateCredentialBody, o?: CallOptions): Promise<Credential>;
  listCredentials(query?: PageQuery, o?: CallOptions): Promise<PageOf<Credential>>;
  revokeCredential(id: string, o?: CallOptions): Promise<Credential>;

  createRetrieval(body: CreateRetrievalBody, o?: CallOptions): Promise<Task>;
  listRetrievals(query?: ListTasksQuery, o?: CallOptions): Promise<PageOf<Task>>;
  getRetrieval(id: number, query?: GetRetrievalQuery, o?: CallOptions): Promise<RetrievalDetail>;
  cancelRetrieval(id: number, o?: CallOptions): Promise<Task>;
  getSubtask(id: number, o?: CallOptions): Promise<Subtask>;
  cancelSubtask(id: number, o?: CallOptions): Promise<Subtask>;
  /** Live `task` / `progress` events until the task is terminal (see streamRetrievalEvents). */
  streamRetrievalEvents(taskId: number, o?: StreamEventsOptions): AsyncGenerator<RetrievalEvent, void, undefined>;

  listFiles(query?: ListFilesQuery, o?: CallOptions): Promise<PageOf<RetrievedFile>>;
  getFile(id: number, o?: CallOptions): Promise<RetrievedFile>;
  createLink(fileId: number, body?: CreateLinkBody, o?: CallOptions): Promise<DownloadLink>;
  /** Streams a (link) URL to disk with hash verification; no API key is sent. */
  downloadToFile(url: string, path: string, o?: DownloadOptions): Promise<DownloadResult>;

  listAudit(query?: ListAuditQuery, o?: CallOptions): Promise<PageOf<AuditEvent>>;

  createSweep(body: CreateSweepBody, o?: CallOptions): Promise<SweepTask>;
  listSweeps(query?: ListTasksQuery, o?: CallOptions): Promise<PageOf<SweepTask>>;
  getSweep(id: number, query?: GetSweepQuery, o?: CallOptions): Promise<SweepDetail>;
  /** One page of results; pass `resumeCursor` back as `cursor` to follow results as they arrive. */
  listSweepResults(id: number, query?: ListSweepResultsQuery, o?: CallOptions): Promise<SweepResultsPage>;
  cancelSweep(id: number, o?: CallOptions): Promise<SweepTask>;
  listElements(query?: ListElementsQuery, o?: CallOptions): Promise<PageOf<FileElement>>;
  getElement(id: number, o?: CallOptions): Promise<FileElement>;

  /** Iterates every item of a list method across pages. */
  paginate: typeof paginate;
}

const DEFAULT_USER_AGENT = 'quarry-client/0.1.0';

const seg = (v: string | number): string => encodeURIComponent(String(v));

/**
 * Builds a client for one server and key.
 *
 * @example
 * const client = createQuarryClient({ baseUrl: 'http://127.0.0.1:8080', apiKey });
 * const task = await client.createRetrieval({ endpoints: ['web-1'], paths: ['/etc/hosts'] });
 */
export function createQuarryClient(options: QuarryClientOptions): QuarryClient {
  const t: Transport = {
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    fetch: options.fetch ?? globalThis.fetch,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
  };
  const get = <T>(path: string, query: object | undefined, o?: CallOptions) => requestJson<T>(t, 'GET', path, { query, signal: o?.signal });
  const post = <T>(path: string, body: unknown, o?: CallOptions) => requestJson<T>(t, 'POST', path, { body, signal: o?.signal });
  const del = <T>(path: string, o?: CallOptions) => requestJson<T>(t, 'DELETE', path, { signal: o?.signal });

  return {
    baseUrl: options.baseUrl,
    me: (o) => get('/me', undefined, o),
    listEndpoints: (q, o) => get('/endpoints', q, o),
    getEndpoint: (ref, o) => get(`/endpoints/${seg(ref)}`, undefined, o),
    createEnrollToken: (body, o) => post('/enroll-tokens', body, o),
    listEnrollTokens: (q, o) => get('/enroll-tokens', q, o),
    revokeEnrollToken: (id, o) => del(`/enroll-tokens/${seg(id)}`, o),
    createCredential: (body, o) => post('/credentials', body, o),
    listCredentials: (q, o) => get('/credentials', q, o),
    revokeCredential: (id, o) => del(`/credentials/${seg(id)}`, o),
    createRetrieval: (body, o) => post('/retrievals', body, o),
    listRetrievals: (q, o) => get('/retrievals', q, o),
    getRetrieval: (id, q, o) => get(`/retrievals/${seg(id)}`, q, o),
    cancelRetrieval: (id, o) => post(`/retrievals/${seg(id)}/cancel`, undefined, o),
    getSubtask: (id, o) => get(`/subtasks/${seg(id)}`, undefined, o),
    cancelSubtask: (id, o) => post(`/subtasks/${seg(id)}/cancel`, undefined, o),
    streamRetrievalEvents: (taskId, o) => streamRetrievalEvents(t, taskId, o),
    listFiles: (q, o) => get('/files', q, o),
    getFile: (id, o) => get(`/files/${seg(id)}`, undefined, o),
    createLink: (fileId, body, o) => post(`/files/${seg(fileId)}/links`, body ?? {}, o),
    downloadToFile: (url, path, o) => downloadToFile(url, path, { fetch: t.fetch, userAgent: t.userAgent, ...o }),
    listAudit: (q, o) => get('/audit', q, o),
    createSweep: (body, o) => post('/sweeps', body, o),
    listSweeps: (q, o) => get('/sweeps', q, o),
    getSweep: (id, q, o) => get(`/sweeps/${seg(id)}`, q, o),
    listSweepResults: (id, q, o) => get(`/sweeps/${seg(id)}/results`, q, o),
    cancelSweep: (id, o) => post(`/sweeps/${seg(id)}/cancel`, undefined, o),
    listElements: (q, o) => get('/elements', q, o),
    getElement: (id, o) => get(`/elements/${seg(id)}`, undefined, o),
    paginate,
  };
}
