import { QuarryApiError, QuarryNetworkError } from './errors.js';

/** What every request needs; built once by `createQuarryClient`. */
export interface Transport {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  userAgent: string;
}

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  query?: object;
  body?: unknown;
  signal?: AbortSignal;
  accept?: string;
}

const API_PREFIX = '/api/v1';
/** Enough of a non-JSON error body to be useful without flooding a terminal. */
const MAX_ERROR_BODY_CHARS = 500;

/** Absolute URL of an API path with the defined query values appended. */
export function buildUrl(baseUrl: string, path: string, query?: object): string {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${API_PREFIX}${path}`);
  for (const [key, value] of Object.entries(query ?? {}) as Array<[string, QueryValue]>) {
    if (value === undefined || value === null) continue;
    url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** Sends one API request; resolves to the raw response when its status is 2xx. */
export async function send(t: Transport, method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const url = buildUrl(t.baseUrl, path, options.query);
  const headers: Record<string, string> = {
    authorization: `Bearer ${t.apiKey}`,
    accept: options.accept ?? 'application/json',
    'user-agent': t.userAgent,
  };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await t.fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new QuarryNetworkError(url, err);
  }
  if (!response.ok) throw await toApiError(response);
  return response;
}

/** Sends a request and parses the JSON body (`undefined` for 204 / empty bodies). */
export async function requestJson<T>(t: Transport, method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(t, method, path, options);
  const text = await response.text();
  return (text.length === 0 ? undefined : JSON.parse(text)) as T;
}

/** Turns an error response into a QuarryApiError, tolerating bodies that are not our envelope. */
export async function toApiError(response: Response): Promise<QuarryApiError> {
  const headerRequestId = response.headers.get('x-request-id') ?? '';
  let text = '';
  try {
    text = await response.text();
  } catch {
    // The status alone is still worth reporting.
  }
  const envelope = parseEnvelope(text);
  if (envelope) {
    return new QuarryApiError(response.status, envelope.code, envelope.message, envelope.details, envelope.requestId ?? headerRequestId);
  }
  const snippet = text.trim().slice(0, MAX_ERROR_BODY_CHARS);
  const message = `HTTP ${response.status} ${response.statusText}${snippet ? `: ${snippet}` : ''}`;
  return new QuarryApiError(response.status, `HTTP_${response.status}`, message, undefined, headerRequestId);
}

interface EnvelopeFields {
  code: string;
  message: string;
  details?: unknown;
  requestId?: string;
}

function parseEnvelope(text: string): EnvelopeFields | null {
  try {
    const parsed = JSON.parse(text) as { error?: Partial<EnvelopeFields> };
    const e = parsed?.error;
    if (e && typeof e.code === 'string' && typeof e.message === 'string') {
      return { code: e.code, message: e.message, details: e.details, requestId: e.requestId };
    }
  } catch {
    // Not JSON: handled by the caller.
  }
  return null;
}

export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}
