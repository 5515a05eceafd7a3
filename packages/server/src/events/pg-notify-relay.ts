import { randomBytes } from 'node:crypto';
import type { DomainEvent, EventPublisher, Logger } from '@quarry/core';
import pg from 'pg';
import type { EventBus } from './event-bus.js';
import { packNotifications, parseNotification } from './notify-payload.js';

/** Channel every node LISTENs on. */
export const NOTIFY_CHANNEL = 'quarry_events';
const APPLICATION_NAME = 'quarry-notify';
/** How often the LISTEN connection is checked: a silently dead socket would otherwise go unnoticed. */
const HEALTH_CHECK_MS = 15_000;
const HEALTH_CHECK_TIMEOUT_MS = 5_000;
const RECONNECT_BASE_MS = 250;
const RECONNECT_CAP_MS = 10_000;

/**
 * The event publisher of a node on PostgreSQL: every event goes to the local bus at once and, via
 * NOTIFY, to every other node, which re-publishes it on its own bus (agents connected there claim
 * the work, SSE streams there see the progress). Best effort by design: a lost notification is
 * made up by each node's periodic claim sweep and by SSE streams polling the store.
 */
export interface PgNotifyRelay extends EventPublisher {
  /** Random per process; a node ignores notifications carrying its own id. */
  readonly nodeId: string;
  /** Connects the LISTEN connection (rejects when the first attempt fails). */
  start(): Promise<void>;
  /** Sends what is queued, then closes both connections. */
  close(): Promise<void>;
  /** True while the LISTEN connection is up (tests wait on it). */
  listening(): boolean;
}

export interface PgNotifyRelayOptions {
  url: string;
  bus: EventBus;
  logger: Logger;
  channel?: string;
  nodeId?: string;
  /** Called after the LISTEN connection came back: notifications sent meanwhile are lost. */
  onResync?: () => void;
}

export function createPgNotifyRelay(options: PgNotifyRelayOptions): PgNotifyRelay {
  const { bus } = options;
  const channel = options.channel ?? NOTIFY_CHANNEL;
  const nodeId = options.nodeId ?? randomBytes(8).toString('hex');
  const log = options.logger.child({ component: 'pg-notify', nodeId });
  // A pool, not a client: it replaces a broken connection by itself on the next query.
  const sender = new pg.Pool({ connectionString: options.url, max: 1, application_name: APPLICATION_NAME });
  sender.on('error', (err) => log.warn({ err }, 'notify connection error'));
  let listener: pg.Client | null = null;
  let queue: DomainEvent[] = [];
  let flushScheduled = false;
  let sending: Promise<void> = Promise.resolve();
  let closed = false;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let healthTimer: NodeJS.Timeout | null = null;
  let reconnectAttempt = 0;

  function onNotification(msg: pg.Notification): void {
    if (msg.channel !== channel || msg.payload === undefined) return;
    const parsed = parseNotification(msg.payload);
    if (!parsed) {
      log.warn({}, 'malformed notification ignored');
      return;
    }
    if (parsed.nodeId === nodeId) return;
    for (const event of parsed.events) bus.publish(event);
  }

  async function connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: options.url, application_name: APPLICATION_NAME, keepAlive: true });
    client.on('notification', onNotification);
    client.on('error', (err) => lost(client, err));
    client.on('end', () => lost(client, null));
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    listener = client;
    reconnectAttempt = 0;
  }

  function lost(client: pg.Client, err: Error | null): void {
    if (listener !== client) return;
    listener = null;
    client.removeAllListeners('notification');
    client.end().catch(() => {});
    if (closed) return;
    log.warn({ err }, 'LISTEN connection lost; reconnecting');
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer) return;
    const ceiling = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** Math.min(reconnectAttempt, 10));
    reconnectAttempt += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connectListener().then(
        () => {
          log.info({}, 'LISTEN connection restored');
          options.onResync?.();
        },
        (err: unknown) => {
          log.warn({ err }, 'LISTEN reconnect failed');
          scheduleReconnect();
        },
      );
    }, Math.floor(ceiling / 2 + Math.random() * (ceiling / 2)));
    reconnectTimer.unref();
  }

  async function healthCheck(): Promise<void> {
    const client = listener;
    if (!client) return;
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('health check timed out')), HEALTH_CHECK_TIMEOUT_MS).unref());
    try {
      await Promise.race([client.query('select 1'), timeout]);
    } catch (err) {
      lost(client, err as Error);
    }
  }

  function flush(): void {
    flushScheduled = false;
    const events = queue;
    queue = [];
    if (events.length === 0) return;
    const { payloads, dropped } = packNotifications(nodeId, events);
    if (dropped > 0) log.warn({ dropped }, 'events too large to notify were not relayed');
    // One chain, and one statement per turn: a task for 10,000 endpoints makes ~45 payloads, and
    // a round trip each spread their arrival over other nodes' turns (each then claimed a small
    // batch). The chain and the ordered subquery keep notifications in publication order.
    sending = sending.then(async () => {
      try {
        await sender.query(
          'select pg_notify($1, p) from (select p from unnest($2::text[]) with ordinality as t(p, i) order by i) as ordered',
          [channel, payloads],
        );
      } catch (err) {
        log.warn({ err }, 'NOTIFY failed; other nodes will find the work by polling');
      }
    });
  }

  return {
    nodeId,
    publish(event) {
      bus.publish(event);
      if (closed) return;
      queue.push(event);
      // Everything published in the same turn (a task for 10,000 endpoints, a burst of progress)
      // leaves in as few notifications as fit.
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    async start() {
      await connectListener();
      healthTimer = setInterval(() => void healthCheck(), HEALTH_CHECK_MS);
      healthTimer.unref();
    },
    listening: () => listener !== null,
    async close() {
      if (closed) return;
      flush();
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (healthTimer) clearInterval(healthTimer);
      await sending;
      const client = listener;
      listener = null;
      await client?.end().catch(() => {});
      await sender.end().catch(() => {});
    },
  };
}
