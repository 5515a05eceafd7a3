import {
  AGENT_PATHS,
  CHUNK_SHA256_HEADER,
  type BeginBody,
  type BeginResponse,
  type CompleteBody,
  type ContentQuery,
  type ContentResponse,
  type FailBody,
  type SweepResultsBody,
} from '@quarry/protocol';
import type { Logger } from 'pino';
import { callWithRetry, DEFAULT_RETRY, type RetryPolicy } from '../http/call-with-retry.js';
import type { HttpClient } from '../http/http-client.js';

/** Per-chunk time limit: generous for an 8 MiB body over a slow link, short enough to notice a stall. */
const CHUNK_TIMEOUT_MS = 5 * 60_000;
/** Failure messages are capped by the protocol at 2000 characters. */
const MAX_FAIL_MESSAGE = 2000;

/**
 * The agent's calls to the server during a retrieval, typed by @quarry/protocol. Every call
 * retries transient failures (see callWithRetry) and throws the typed errors of http/api-errors.
 */
export class AgentApi {
  readonly #client: HttpClient;
  readonly #logger: Logger;
  readonly #retry: RetryPolicy;

  constructor(client: HttpClient, logger: Logger, retry: RetryPolicy = DEFAULT_RETRY) {
    this.#client = client;
    this.#logger = logger;
    this.#retry = retry;
  }

  async started(subtaskId: number, attempt: number, signal: AbortSignal): Promise<void> {
    await this.#post(AGENT_PATHS.started(subtaskId), { attempt }, signal);
  }

  async begin(fileOpId: number, body: BeginBody, signal: AbortSignal): Promise<BeginResponse> {
    const res = await this.#post(AGENT_PATHS.begin(fileOpId), body, signal);
    return res as BeginResponse;
  }

  async fail(fileOpId: number, body: FailBody, signal: AbortSignal): Promise<void> {
    const message = body.message.length > MAX_FAIL_MESSAGE ? `${body.message.slice(0, MAX_FAIL_MESSAGE - 1)}…` : body.message;
    await this.#post(AGENT_PATHS.fail(fileOpId), { ...body, message }, signal);
  }

  /** One batch of sweep results; a repeat of a stored batch is acknowledged by the server. */
  async sweepResults(subtaskId: number, body: SweepResultsBody, signal: AbortSignal): Promise<void> {
    await this.#post(AGENT_PATHS.sweepResults(subtaskId), body, signal);
  }

  async complete(uploadId: string, body: CompleteBody, signal: AbortSignal): Promise<void> {
    await this.#post(AGENT_PATHS.complete(uploadId), body, signal);
  }

  /** PUTs one chunk; the body is the buffer itself (no copy), with its sha256 in a header. */
  async putChunk(uploadId: string, index: number, data: Buffer, sha256: string, signal: AbortSignal): Promise<void> {
    await callWithRetry(
      this.#client,
      {
        method: 'PUT',
        path: AGENT_PATHS.chunk(uploadId, index),
        body: data,
        headers: { 'content-type': 'application/octet-stream', [CHUNK_SHA256_HEADER]: sha256 },
        signal,
        timeoutMs: CHUNK_TIMEOUT_MS,
      },
      this.#logger,
      this.#retry,
    );
  }

  /** A small file whole (PUT …/file-ops/{id}/content); metadata rides in the query string. */
  async putContent(fileOpId: number, query: ContentQuery, data: Buffer, signal: AbortSignal): Promise<ContentResponse> {
    const params = new URLSearchParams({ attempt: String(query.attempt), md5: query.md5, sha1: query.sha1, sha256: query.sha256 });
    if (query.mtimeMs !== undefined) params.set('mtimeMs', String(query.mtimeMs));
    const res = await callWithRetry(
      this.#client,
      {
        method: 'PUT',
        path: `${AGENT_PATHS.content(fileOpId)}?${params.toString()}`,
        body: data,
        headers: { 'content-type': 'application/octet-stream' },
        signal,
      },
      this.#logger,
      this.#retry,
    );
    return res.body as ContentResponse;
  }

  async #post(path: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    const res = await callWithRetry(this.#client, { method: 'POST', path, body, signal }, this.#logger, this.#retry);
    return res.body;
  }
}
