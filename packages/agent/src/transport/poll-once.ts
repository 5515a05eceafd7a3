import { AGENT_PATHS, type ServerMessage } from '@quarry/protocol';
import { NetworkError, type HttpClient } from '../http/http-client.js';
import { parseServerMessage } from './parse-server-message.js';

/** Result of one long-poll request. */
export type PollResult =
  | { kind: 'messages'; messages: ServerMessage[]; malformed: number }
  | { kind: 'unauthorized' }
  | { kind: 'refused'; status: number }
  | { kind: 'failed'; error: string };

/** Extra time beyond the server's wait before the agent gives up on a silent poll. */
const POLL_GRACE_MS = 15_000;

/** `GET /agent/v1/poll?waitSeconds=N`: waits up to N seconds for messages. Rejects only on abort. */
export async function pollOnce(client: HttpClient, waitSeconds: number, signal: AbortSignal): Promise<PollResult> {
  try {
    const res = await client.send({
      method: 'GET',
      path: `${AGENT_PATHS.poll}?waitSeconds=${waitSeconds}`,
      signal,
      timeoutMs: waitSeconds * 1000 + POLL_GRACE_MS,
    });
    if (res.status === 401) return { kind: 'unauthorized' };
    if (res.status < 200 || res.status >= 300) return { kind: 'refused', status: res.status };
    const raw = (res.body as { messages?: unknown } | null)?.messages;
    const list = Array.isArray(raw) ? raw : [];
    const messages = list.map(parseServerMessage).filter((m): m is ServerMessage => m !== undefined);
    return { kind: 'messages', messages, malformed: list.length - messages.length };
  } catch (err) {
    if (err instanceof NetworkError) return { kind: 'failed', error: err.message };
    throw err;
  }
}
