import WebSocket from 'ws';
import type { AgentMessage, ServerMessage } from '@quarry/protocol';
import type { Logger } from 'pino';
import { LOG } from '../logging/log-messages.js';
import { parseServerFrame } from './parse-server-message.js';

/** How one WebSocket session ended. */
export type WsSessionEnd =
  | { kind: 'closed'; openMs: number; code: number }
  | { kind: 'refused'; status: number }
  | { kind: 'failed'; error: string }
  | { kind: 'stopped' };

/** Inputs of one session. */
export interface WsSessionOptions {
  url: string;
  authorization: string;
  hello: AgentMessage;
  /** Read at every tick so a `welcome` can change the interval mid-session. */
  heartbeatMs: () => number;
  onMessage: (message: ServerMessage) => void;
  onOpen: () => void;
  logger: Logger;
  signal: AbortSignal;
}

const HANDSHAKE_TIMEOUT_MS = 15_000;
/** Close codes a server uses when it authenticates after the upgrade; treated like a 401. */
export const UNAUTHORIZED_CLOSE_CODES: ReadonlySet<number> = new Set([1008, 4401]);
/** Missed heartbeat rounds (no pong, no message) before a silent connection is dropped. */
const DEAD_AFTER_TICKS = 3;

/**
 * One WebSocket connection to the control channel, from connect to close. Sends `hello` on open
 * and a `heartbeat` (plus a ping, whose pong proves the path is alive) every interval; a
 * connection that stays silent for several intervals is terminated so the reconnect logic runs.
 */
export function runWsSession(options: WsSessionOptions): Promise<WsSessionEnd> {
  return new Promise((resolve) => {
    let settled = false;
    let openedAt = 0;
    let lastSeen = 0;
    let timer: NodeJS.Timeout | undefined;
    const ws = new WebSocket(options.url, {
      headers: { authorization: options.authorization },
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      perMessageDeflate: false,
    });
    const finish = (end: WsSessionEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve(end);
    };
    const onAbort = () => {
      ws.terminate();
      finish({ kind: 'stopped' });
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    const tick = () => {
      const interval = options.heartbeatMs();
      if (Date.now() - lastSeen > interval * DEAD_AFTER_TICKS) {
        ws.terminate();
        return;
      }
      send({ type: 'heartbeat' });
      ws.ping();
      timer = setTimeout(tick, interval);
    };
    const send = (message: AgentMessage) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    };
    ws.on('unexpected-response', (req, res) => {
      res.resume();
      req.destroy();
      finish({ kind: 'refused', status: res.statusCode ?? 0 });
    });
    ws.on('open', () => {
      openedAt = Date.now();
      lastSeen = openedAt;
      options.onOpen();
      send(options.hello);
      timer = setTimeout(tick, options.heartbeatMs());
    });
    ws.on('pong', () => {
      lastSeen = Date.now();
    });
    ws.on('message', (data, isBinary) => {
      lastSeen = Date.now();
      if (isBinary) return;
      const message = parseServerFrame(data.toString());
      if (!message) {
        options.logger.warn(LOG.badMessage);
        return;
      }
      options.onMessage(message);
      // The welcome may set a different interval: restart the heartbeat clock with it.
      if (message.type === 'welcome') {
        clearTimeout(timer);
        timer = setTimeout(tick, options.heartbeatMs());
      }
    });
    ws.on('error', (err) => {
      if (openedAt === 0) finish({ kind: 'failed', error: err.message });
    });
    ws.on('close', (code) => {
      if (openedAt === 0) finish({ kind: 'failed', error: `closed before open (${code})` });
      else finish({ kind: 'closed', openMs: Date.now() - openedAt, code });
    });
  });
}
