// Minimal REST calls for e2e tests, on fetch, so a failure points at the server, not a client bug.
import type { Endpoint, RetrievalDetail, RetrievedFile, DownloadLink, Task } from '@quarry/protocol';

export class Api {
  constructor(
    readonly url: string,
    readonly key: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const r = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : null,
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T>(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  enrollToken(): Promise<{ token: string }> {
    return this.ok('POST', '/api/v1/enroll-tokens', { maxUses: 1, description: 'e2e' });
  }
  endpoints(query = ''): Promise<{ items: Endpoint[] }> {
    return this.ok('GET', `/api/v1/endpoints${query}`);
  }
  createRetrieval(endpoints: string[], paths: string[], extra: Record<string, unknown> = {}): Promise<Task> {
    return this.ok('POST', '/api/v1/retrievals', { endpoints, paths, ...extra });
  }
  retrieval(id: number): Promise<RetrievalDetail> {
    return this.ok('GET', `/api/v1/retrievals/${id}?limit=500`);
  }
  file(id: number): Promise<RetrievedFile> {
    return this.ok('GET', `/api/v1/files/${id}`);
  }
  link(fileId: number, format: 'raw' | 'zip', extra: Record<string, unknown> = {}): Promise<DownloadLink> {
    return this.ok('POST', `/api/v1/files/${fileId}/links`, { format, ...extra });
  }
}

export const TERMINAL_TASK_STATUSES = ['succeeded', 'partially_succeeded', 'failed', 'cancelled', 'expired'];
