import http from 'node:http';
import https from 'node:https';

/** What an agent API call answered: status, parsed JSON body (or null) and headers. */
export interface HttpResult {
  status: number;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

/** Options of one request. */
export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** JSON value (serialised) or raw bytes (sent as application/octet-stream). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Whole-request time limit; defaults to 60 s. */
  timeoutMs?: number;
  /** Send no Authorization header (enrolment authenticates by token in the body). */
  anonymous?: boolean;
}

/** Thrown when a request could not get any HTTP response (refused, reset, timed out). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Error bodies are small envelopes; a cap keeps a misbehaving proxy from filling memory. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Minimal agent-side HTTP client on node:http(s) `request` with a keep-alive agent. It is used
 * instead of fetch because chunk PUTs of raw Buffers through `request` are markedly faster
 * (stack.md §7) and it gives direct control over Content-Length and socket reuse.
 */
export class HttpClient {
  #base: URL;
  #agent: http.Agent;
  #request: typeof http.request;
  #credential: string | null;

  constructor(serverUrl: string, credential: string | null) {
    this.#base = new URL(serverUrl);
    [this.#agent, this.#request] = HttpClient.#transportFor(this.#base);
    this.#credential = credential;
  }

  static #transportFor(base: URL): [http.Agent, typeof http.request] {
    return base.protocol === 'https:'
      ? [new https.Agent({ keepAlive: true, maxSockets: 8 }), https.request]
      : [new http.Agent({ keepAlive: true, maxSockets: 8 }), http.request];
  }

  /** Root URL requests go to now. */
  get serverUrl(): string {
    return this.#base.href.replace(/\/+$/, '');
  }

  /**
   * Sends later requests to another node of the deployment (failover). Idle keep-alive sockets to
   * the old node are closed; requests in flight there finish or fail (and are retried here).
   */
  useServer(serverUrl: string): void {
    const next = new URL(serverUrl);
    if (next.href === this.#base.href) return;
    this.#base = next;
    const old = this.#agent;
    for (const sockets of Object.values(old.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
    [this.#agent, this.#request] = HttpClient.#transportFor(next);
  }

  /** Sets the credential used by later calls (after enrolment). */
  setCredential(credential: string): void {
    this.#credential = credential;
  }

  /** Absolute URL of an agent API path, keeping any path prefix of the server URL. */
  url(path: string): URL {
    const prefix = this.#base.pathname.replace(/\/+$/, '');
    const target = new URL(this.#base.href);
    const [pathname, search] = path.split('?', 2);
    target.pathname = prefix + pathname;
    target.search = search ? `?${search}` : '';
    return target;
  }

  /** Authorization header value, or undefined before enrolment. */
  authorization(): string | undefined {
    return this.#credential ? `Bearer ${this.#credential}` : undefined;
  }

  /** Sends one request and resolves with any HTTP response; rejects only on network failure or abort. */
  send(options: RequestOptions): Promise<HttpResult> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const auth = this.authorization();
    if (auth && !options.anonymous) headers.authorization = auth;
    let payload: Buffer | undefined;
    if (Buffer.isBuffer(options.body)) {
      payload = options.body;
      headers['content-type'] ??= 'application/octet-stream';
    } else if (options.body !== undefined) {
      payload = Buffer.from(JSON.stringify(options.body));
      headers['content-type'] = 'application/json';
    }
    if (payload) headers['content-length'] = String(payload.length);
    return new Promise<HttpResult>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(abortReason(options.signal));
        return;
      }
      const req = this.#request(this.url(options.path), {
        method: options.method,
        headers,
        agent: this.#agent,
        signal: options.signal,
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
      req.on('timeout', () => req.destroy(new NetworkError('request timed out')));
      req.on('error', (err) => {
        if (options.signal?.aborted) reject(abortReason(options.signal));
        else reject(err instanceof NetworkError ? err : new NetworkError(err.message, { cause: err }));
      });
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        let total = 0;
        res.on('data', (c: Buffer) => {
          total += c.length;
          if (total <= MAX_RESPONSE_BYTES) parts.push(c);
        });
        res.on('error', (err) => reject(new NetworkError(err.message, { cause: err })));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: parseJson(Buffer.concat(parts)), headers: res.headers });
        });
      });
      req.end(payload);
    });
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }
}

function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) return null;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return null;
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError');
}

/** The `error.code` of an error envelope, if the body is one. */
export function errorCodeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
