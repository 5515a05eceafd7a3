import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { appError, type AppError, type Logger, type QuarryServices } from '@quarry/core';
import { AGENT_PATHS, AgentMessageSchema, type AgentMessage, type ServerMessage } from '@quarry/protocol';
import { Value } from 'typebox/value';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ServerConfig } from '../config/schema.js';
import type { EventBus } from '../events/event-bus.js';
import { envelopeOf, toAppError } from '../http/error-handler.js';
import { authenticateAgentHeader } from '../http/plugins/auth.js';
import { PollOutbox } from './poll-outbox.js';
import { createWorkSweep } from './work-sweep.js';
import { createClaimBatcher } from './claim-batcher.js';

/** Close code sent to a socket replaced by a newer connection of the same endpoint. */
export const WS_CLOSE_REPLACED = 4001;
/** Largest agent → server message; agents only send hello and heartbeat. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/** Delivers work to connected agents (WebSocket or long-poll) on this node. */
export interface AgentHub {
  /** Long-poll: this endpoint's pending messages, waiting up to `waitSeconds` for some. */
  poll(endpointId: string, ip: string | null, waitSeconds: number, signal?: AbortSignal): Promise<ServerMessage[]>;
  /** True while the endpoint holds a WebSocket to this node. */
  isConnected(endpointId: string): boolean;
  /** Agents on this node now: WebSockets plus long-poll clients (an agent counted in both is rare, and counted twice). */
  connectedCount(): number;
  /** Claims now for every connected endpoint with due queued work (after missed notifications). */
  sweepNow(): Promise<void>;
  close(): Promise<void>;
}

export interface AgentHubOptions {
  server: Server;
  config: Pick<ServerConfig, 'heartbeatIntervalSeconds' | 'onlineWindowSeconds'>;
  services: QuarryServices;
  bus: EventBus;
  logger: Logger;
  /** Period of the safety-net claim sweep (default 5 s, jittered). */
  workSweepIntervalMs?: number;
}

interface Connection {
  ws: WebSocket;
  endpointId: string;
  ip: string | null;
  alive: boolean;
  replaced: boolean;
}

/** Answers a refused upgrade with a plain HTTP response carrying the usual error envelope. */
function refuseUpgrade(socket: Duplex, err: AppError): void {
  const body = JSON.stringify(envelopeOf(err, randomUUID()));
  socket.end(
    `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? 'Error'}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * The agent side of dispatch: a `ws` server on the HTTP server's `upgrade` event for
 * /agent/v1/ws, plus per-endpoint outboxes for long-polling agents. Work is claimed only for
 * endpoints with a live channel here, one claim at a time per endpoint.
 */
export function createAgentHub(options: AgentHubOptions): AgentHub {
  const { server, services, bus } = options;
  const log = options.logger.child({ component: 'agent-hub' });
  const heartbeatMs = options.config.heartbeatIntervalSeconds * 1000;
  const onlineMs = options.config.onlineWindowSeconds * 1000;
  // Recording "seen" more often than a third of the online window buys nothing but writes.
  const seenThrottleMs = Math.min(heartbeatMs, onlineMs / 3);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sockets = new Map<string, Connection>();
  const pollers = new Map<string, PollOutbox>();
  const chains = new Map<string, Promise<unknown>>();
  const lastSeenWrite = new Map<string, number>();
  let closing = false;

  /** Runs `fn` after every earlier job of the same endpoint, so claims never interleave. */
  function serial<T>(endpointId: string, fn: () => Promise<T>): Promise<T> {
    const next = (chains.get(endpointId) ?? Promise.resolve()).then(fn);
    const settled = next.catch(() => undefined);
    chains.set(endpointId, settled);
    void settled.then(() => {
      if (chains.get(endpointId) === settled) chains.delete(endpointId);
    });
    return next;
  }
  const background = (endpointId: string, what: string, fn: () => Promise<unknown>): void => {
    serial(endpointId, fn).catch((err: unknown) => log.error({ err, endpointId }, `${what} failed`));
  };

  function deliver(endpointId: string, message: ServerMessage): boolean {
    const conn = sockets.get(endpointId);
    if (conn && conn.ws.readyState === conn.ws.OPEN) {
      conn.ws.send(JSON.stringify(message));
      return true;
    }
    const outbox = pollers.get(endpointId);
    if (outbox) {
      outbox.push(message);
      return true;
    }
    return false;
  }

  async function claimAndSend(endpointId: string, resendInFlight: boolean): Promise<void> {
    if (closing || !(sockets.has(endpointId) || pollers.has(endpointId))) return;
    const work = await services.agentWork.claimWork(endpointId, { resendInFlight });
    for (const message of work) deliver(endpointId, message);
    if (work.length > 0) log.info({ endpointId, subtaskIds: work.map((m) => m.command.subtaskId) }, 'commands sent');
  }

  async function markSeen(endpointId: string): Promise<void> {
    const now = Date.now();
    if (now - (lastSeenWrite.get(endpointId) ?? 0) < seenThrottleMs) return;
    lastSeenWrite.set(endpointId, now);
    await services.endpoints.markSeen(endpointId);
  }

  const welcome = (endpointId: string): ServerMessage => ({
    type: 'welcome',
    endpointId,
    heartbeatIntervalMs: heartbeatMs,
    serverTime: new Date().toISOString(),
  });

  function onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    let message: unknown;
    try {
      message = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      message = undefined;
    }
    if (!Value.Check(AgentMessageSchema, message)) {
      log.warn({ endpointId: conn.endpointId }, 'invalid agent message ignored');
      return;
    }
    const m = message as AgentMessage;
    if (m.type === 'hello') background(conn.endpointId, 'hello', () => services.endpoints.markConnected(conn.endpointId, m, conn.ip));
    else background(conn.endpointId, 'heartbeat', () => markSeen(conn.endpointId));
  }

  function attach(ws: WebSocket, endpointId: string, ip: string | null): void {
    const previous = sockets.get(endpointId);
    const conn: Connection = { ws, endpointId, ip, alive: true, replaced: false };
    sockets.set(endpointId, conn);
    pollers.get(endpointId)?.wake();
    pollers.delete(endpointId);
    if (previous) {
      previous.replaced = true;
      previous.ws.close(WS_CLOSE_REPLACED, 'replaced by a newer connection');
    }
    log.info({ endpointId, ip }, 'agent connected');
    ws.on('message', (data, isBinary) => onMessage(conn, data, isBinary));
    ws.on('pong', () => {
      conn.alive = true;
      background(endpointId, 'pong', () => markSeen(endpointId));
    });
    ws.on('error', (err) => log.warn({ err, endpointId }, 'agent socket error'));
    ws.on('close', (code) => {
      if (sockets.get(endpointId) === conn) sockets.delete(endpointId);
      log.info({ endpointId, code }, 'agent disconnected');
      if (!conn.replaced && !closing && !sockets.has(endpointId)) {
        background(endpointId, 'disconnect', () => services.endpoints.markDisconnected(endpointId));
      }
    });
    ws.send(JSON.stringify(welcome(endpointId)));
    background(endpointId, 'connect', async () => {
      await services.endpoints.markConnected(endpointId, null, ip);
      lastSeenWrite.set(endpointId, Date.now());
      await claimAndSend(endpointId, true);
    });
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://agent').pathname;
    if (path !== AGENT_PATHS.ws) {
      refuseUpgrade(socket, appError('ROUTE_NOT_FOUND', { method: req.method, url: path }));
      return;
    }
    socket.on('error', (err) => log.debug({ err }, 'upgrade socket error'));
    // Authenticate before upgrading: a refused agent gets a plain 401/403, never a socket.
    authenticateAgentHeader(services.auth, req.headers.authorization).then(
      (principal) => {
        if (closing) return refuseUpgrade(socket, appError('INTERNAL'));
        wss.handleUpgrade(req, socket, head, (ws) => attach(ws, principal.endpointId, req.socket.remoteAddress ?? null));
      },
      (err: unknown) => {
        const known = toAppError(err);
        if (!known || known.status >= 500) log.error({ err }, 'agent upgrade failed');
        refuseUpgrade(socket, known ?? appError('INTERNAL'));
      },
    );
  }

  function sweep(): void {
    for (const conn of sockets.values()) {
      if (!conn.alive) {
        log.warn({ endpointId: conn.endpointId }, 'agent socket unresponsive; terminating');
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
    const now = Date.now();
    for (const [endpointId, outbox] of pollers) {
      if (!outbox.waiting && now - outbox.lastPollAt > onlineMs) {
        pollers.delete(endpointId);
        background(endpointId, 'disconnect', () => services.endpoints.markDisconnected(endpointId));
      }
    }
  }

  const batcher = createClaimBatcher({
    claimBatch: (ids) => services.agentWork.claimWorkBatch(ids),
    deliver: (endpointId, messages) => {
      for (const message of messages) deliver(endpointId, message);
      log.info({ endpointId, subtaskIds: messages.map((m) => m.command.subtaskId) }, 'commands sent');
    },
    claimOne: (id) => background(id, 'claim', () => claimAndSend(id, false)),
    logger: log,
  });
  /** New work for a connected endpoint: batched, unless a claim of its own is under way. */
  const claimSoon = (id: string): void => {
    if (closing || !(sockets.has(id) || pollers.has(id))) return;
    if (chains.has(id)) background(id, 'claim', () => claimAndSend(id, false));
    else batcher.enqueue(id);
  };
  const unsubscribe = bus.subscribe(
    (e) => e.type === 'work-available' || e.type === 'cancel',
    (e) => {
      if (e.type === 'cancel') deliver(e.endpointId, { type: 'cancel', subtaskId: e.subtaskId, attempt: e.attempt });
      else if (e.type === 'work-available') {
        for (const id of e.endpointIds) claimSoon(id);
      }
    },
  );
  const timer = setInterval(sweep, heartbeatMs);
  timer.unref();
  const workSweep = createWorkSweep({
    intervalMs: options.workSweepIntervalMs,
    connected: () => [...new Set([...sockets.keys(), ...pollers.keys()])],
    withWork: (ids) => services.agentWork.endpointsWithWork(ids),
    claim: claimSoon,
    logger: log,
  });
  workSweep.start();
  server.on('upgrade', onUpgrade);

  return {
    connectedCount: () => sockets.size + pollers.size,
    async poll(endpointId, ip, waitSeconds, signal) {
      let outbox = pollers.get(endpointId);
      const first = !outbox;
      if (!outbox) {
        outbox = new PollOutbox(Date.now());
        pollers.set(endpointId, outbox);
        outbox.push(welcome(endpointId));
      }
      outbox.lastPollAt = Date.now();
      await serial(endpointId, async () => {
        if (first) {
          await services.endpoints.markConnected(endpointId, null, ip);
          lastSeenWrite.set(endpointId, Date.now());
        } else {
          await markSeen(endpointId);
        }
        await claimAndSend(endpointId, first);
      });
      if (!closing) await outbox.wait(waitSeconds * 1000, signal);
      outbox.lastPollAt = Date.now();
      return outbox.drain();
    },
    isConnected: (endpointId) => sockets.has(endpointId),
    sweepNow: () => workSweep.runNow(),
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(timer);
      await workSweep.stop();
      await batcher.close();
      unsubscribe();
      server.off('upgrade', onUpgrade);
      for (const outbox of pollers.values()) outbox.wake();
      for (const conn of sockets.values()) conn.ws.close(1001, 'server shutting down');
      await Promise.allSettled([...chains.values()]);
      // The close frames had the time the pending jobs took; a clean handshake is not worth waiting for.
      for (const conn of sockets.values()) conn.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
