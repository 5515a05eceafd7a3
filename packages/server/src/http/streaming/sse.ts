import type { ServerResponse } from 'node:http';

/** Interval of `: keep-alive` comments, below common 30–60 s proxy idle timeouts. */
export const SSE_KEEP_ALIVE_MS = 15_000;

/** A minimal server-sent-events writer over a hijacked response. */
export interface SseStream {
  send(event: string, data: unknown): void;
  comment(text: string): void;
  end(): void;
  readonly closed: boolean;
}

/** Writes SSE headers and returns the writer; `onClose` runs once, whoever ends the stream. */
export function openSse(res: ServerResponse, requestId: string, onClose: () => void): SseStream {
  let closed = false;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // nginx buffers responses unless told otherwise, which would delay every event.
    'x-accel-buffering': 'no',
    'x-request-id': requestId,
  });
  const close = (): void => {
    if (closed) return;
    closed = true;
    onClose();
  };
  res.once('close', close);
  return {
    get closed() {
      return closed;
    },
    send(event, data) {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    comment(text) {
      if (!closed) res.write(`: ${text}\n\n`);
    },
    end() {
      if (!res.writableEnded) res.end();
      close();
    },
  };
}
