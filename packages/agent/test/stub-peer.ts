import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as seen by the stub peer. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A handler answers one request; returning undefined means 404. */
export type StubHandler = (req: SeenRequest, res: http.ServerResponse) => void | Promise<void>;

/**
 * A loopback HTTP peer that answers agent calls with scripted responses. It stands in for what
 * the agent cannot rely on in a unit setting: proxies that refuse WebSocket upgrades, servers
 * that answer 401/409/422 at chosen moments. The real-server end-to-end suite lives in e2e/.
 */
export async function startStubPeer(
  handler: StubHandler,
  options: { upgradeStatus?: number } = {},
): Promise<{ url: string; seen: SeenRequest[]; close(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts) };
      seen.push(r);
      void Promise.resolve(handler(r, res)).catch((err: unknown) => {
        res.writeHead(500).end(String(err));
      });
    });
  });
  // Plain HTTP servers ignore upgrade requests unless told otherwise; route them to the handler too.
  server.on('upgrade', (req, socket) => {
    seen.push({ method: 'UPGRADE', url: req.url ?? '', headers: req.headers, body: Buffer.alloc(0) });
    socket.end(`HTTP/1.1 ${options.upgradeStatus ?? 426} No\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a JSON response. */
export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Polls `predicate` every 10 ms until it holds or `timeoutMs` passes. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
