import type { RetrievalEvent } from '@quarry/protocol';
import { send, type Transport } from './http.js';
import { SseParser } from './sse-parser.js';

/** Event names the server emits on the retrieval stream; others are ignored for forward compatibility. */
const RETRIEVAL_EVENT_NAMES = new Set(['task', 'progress']);

export interface StreamEventsOptions {
  signal?: AbortSignal;
}

/**
 * Follows `GET /retrievals/{id}/events`, yielding each `task` and `progress` event as it arrives.
 * Ends when the server closes the stream (it does once the task is terminal). A dropped
 * connection may also end it early or throw: callers should check the last task status and fall
 * back to polling.
 */
export async function* streamRetrievalEvents(
  t: Transport,
  taskId: number,
  options: StreamEventsOptions = {},
): AsyncGenerator<RetrievalEvent, void, undefined> {
  const response = await send(t, 'GET', `/retrievals/${taskId}/events`, {
    accept: 'text/event-stream',
    signal: options.signal,
  });
  if (!response.body) return;
  const parser = new SseParser();
  const decoder = new TextDecoder('utf-8');
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) {
        const event = toRetrievalEvent(message.event, message.data);
        if (event) yield event;
      }
    }
    for (const message of parser.push(decoder.decode())) {
      const event = toRetrievalEvent(message.event, message.data);
      if (event) yield event;
    }
    parser.end();
  } finally {
    // Releases the socket when the consumer stops early (break / return / throw).
    await reader.cancel().catch(() => undefined);
  }
}

function toRetrievalEvent(name: string, data: string): RetrievalEvent | null {
  if (!RETRIEVAL_EVENT_NAMES.has(name)) return null;
  const parsed = JSON.parse(data) as RetrievalEvent;
  // The payload carries its own discriminator; trust the event name when it is missing.
  return { ...parsed, type: parsed.type ?? name } as RetrievalEvent;
}
