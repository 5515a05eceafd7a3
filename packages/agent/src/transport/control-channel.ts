import { AGENT_PATHS, type AgentMessage, type ServerMessage } from '@quarry/protocol';
import type { Logger } from 'pino';
import type { HttpClient } from '../http/http-client.js';
import { LOG } from '../logging/log-messages.js';
import { Backoff, sleep, type BackoffOptions } from './backoff.js';
import { pollOnce } from './poll-once.js';
import { runWsSession, UNAUTHORIZED_CLOSE_CODES } from './ws-session.js';
import type { ServerList } from './server-list.js';

export type TransportMode = 'auto' | 'ws' | 'poll';

/** Timing knobs of the control channel; tests shrink them, production uses the defaults. */
export interface ChannelTuning {
  backoff: BackoffOptions;
  /** A WebSocket open at least this long counts as stable and resets the back-off. */
  stableMs: number;
  pollWaitSeconds: number;
  /** In auto mode, how often poll mode tries the WebSocket again. */
  wsRetryFromPollMs: number;
  /** Consecutive WebSocket failures (no HTTP answer) before auto mode tries long-poll. */
  wsFailuresBeforePoll: number;
  /** Heartbeat interval until the server's welcome says otherwise. */
  defaultHeartbeatMs: number;
}

export const DEFAULT_CHANNEL_TUNING: Readonly<ChannelTuning> = {
  backoff: { baseMs: 500, capMs: 30_000 },
  stableMs: 30_000,
  pollWaitSeconds: 25,
  wsRetryFromPollMs: 5 * 60_000,
  wsFailuresBeforePoll: 3,
  defaultHeartbeatMs: 30_000,
};

/** Upgrade refusals that mean "this server (or proxy) does not do WebSocket here": use long-poll. */
const FALLBACK_STATUSES: ReadonlySet<number> = new Set([400, 404, 405, 426, 501]);

/** Inputs of the control channel. */
export interface ControlChannelOptions {
  client: HttpClient;
  transport: TransportMode;
  hello: AgentMessage;
  /** Fixed heartbeat from --heartbeat-seconds; null to follow the server's welcome. */
  heartbeatMs: number | null;
  onMessage: (message: ServerMessage) => void;
  logger: Logger;
  tuning: ChannelTuning;
  /**
   * Nodes to fail over between. When the channel to the current one fails or closes, the client
   * is pointed at the next (round robin), so chunk uploads and reports follow the channel.
   */
  servers?: ServerList | undefined;
}

/** What the channel is doing now. */
export type ChannelState = 'connecting' | 'ws' | 'poll' | 'stopped';

/**
 * Keeps the agent reachable: a WebSocket when possible, HTTP long-poll when the upgrade is
 * refused or keeps failing while plain HTTP works, reconnecting with full-jitter back-off. A 401
 * is logged and backs off straight to the cap: retrying a rejected credential fast helps nobody.
 */
export class ControlChannel {
  readonly #o: ControlChannelOptions;
  readonly #abort = new AbortController();
  readonly #backoff: Backoff;
  #serverHeartbeatMs: number | undefined;
  #state: ChannelState = 'connecting';
  #loop: Promise<void> | undefined;
  #wsFailures = 0;

  constructor(options: ControlChannelOptions) {
    this.#o = options;
    this.#backoff = new Backoff(options.tuning.backoff);
  }

  get state(): ChannelState {
    return this.#state;
  }

  start(): void {
    this.#loop ??= this.#run().catch((err: unknown) => {
      if (!this.#abort.signal.aborted) this.#o.logger.error({ err }, LOG.wsFailed);
    });
  }

  async stop(): Promise<void> {
    this.#abort.abort(new Error('control channel stopped'));
    await this.#loop;
    this.#state = 'stopped';
  }

  /** Moves to the next node, if there is another: the current one failed or went away. */
  #failover(): void {
    const { servers, client, logger } = this.#o;
    if (!servers || servers.size < 2) return;
    const from = servers.current;
    client.useServer(servers.advance());
    logger.info({ from, to: servers.current }, LOG.serverFailover);
  }

  #dispatch = (message: ServerMessage): void => {
    if (message.type === 'welcome') {
      this.#serverHeartbeatMs = message.heartbeatIntervalMs;
      this.#o.logger.info({ endpointId: message.endpointId, heartbeatIntervalMs: message.heartbeatIntervalMs }, LOG.welcome);
    }
    this.#o.onMessage(message);
  };

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let mode: 'ws' | 'poll' = this.#o.transport === 'poll' ? 'poll' : 'ws';
    let fellBackAfterFailures = false;
    while (!signal.aborted) {
      let delay = 0;
      if (mode === 'ws') {
        const next = await this.#wsRound();
        if (next === 'stop') return;
        if (next === 'poll') {
          fellBackAfterFailures = this.#wsFailures > 0;
          mode = 'poll';
        } else delay = next;
      } else {
        const next = await this.#pollLoop(fellBackAfterFailures);
        if (next === 'stop') return;
        // Coming back from poll mode, one more WebSocket failure is enough to return to it.
        this.#wsFailures = Math.max(0, this.#o.tuning.wsFailuresBeforePoll - 1);
        mode = 'ws';
      }
      if (delay > 0) {
        this.#o.logger.debug({ delayMs: delay }, LOG.reconnectScheduled);
        await sleep(delay, signal).catch(() => {});
      }
    }
  }

  /** One WebSocket session; returns the delay before the next one, or a mode switch. */
  async #wsRound(): Promise<number | 'poll' | 'stop'> {
    const { client, logger, tuning, transport } = this.#o;
    this.#state = 'connecting';
    const url = client.url(AGENT_PATHS.ws);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const end = await runWsSession({
      url: url.href,
      authorization: client.authorization() ?? '',
      hello: this.#o.hello,
      heartbeatMs: () => this.#o.heartbeatMs ?? this.#serverHeartbeatMs ?? tuning.defaultHeartbeatMs,
      onMessage: this.#dispatch,
      onOpen: () => {
        this.#state = 'ws';
        logger.info(LOG.wsConnected);
      },
      logger,
      signal: this.#abort.signal,
    });
    switch (end.kind) {
      case 'stopped':
        return 'stop';
      case 'closed':
        this.#state = 'connecting';
        logger.info({ code: end.code, openMs: end.openMs }, LOG.wsClosed);
        if (UNAUTHORIZED_CLOSE_CODES.has(end.code)) {
          logger.error(LOG.credentialRejected);
          return this.#backoff.toCap();
        }
        if (end.openMs >= tuning.stableMs) this.#backoff.reset();
        this.#wsFailures = 0;
        this.#failover();
        return this.#backoff.next();
      case 'refused':
        logger.warn({ status: end.status }, LOG.wsRefused);
        if (end.status === 401) {
          logger.error(LOG.credentialRejected);
          return this.#backoff.toCap();
        }
        if (transport === 'auto' && FALLBACK_STATUSES.has(end.status)) {
          this.#wsFailures = 0;
          return 'poll';
        }
        if (end.status >= 500) this.#failover();
        return this.#backoff.next();
      case 'failed':
        this.#wsFailures += 1;
        logger.warn({ err: end.error, failures: this.#wsFailures }, LOG.wsFailed);
        this.#failover();
        if (transport === 'auto' && this.#wsFailures >= tuning.wsFailuresBeforePoll) return 'poll';
        return this.#backoff.next();
    }
  }

  /** Long-polls until it is time to try the WebSocket again (auto mode) or the channel stops. */
  async #pollLoop(afterWsFailures: boolean): Promise<'ws' | 'stop'> {
    const { client, logger, tuning, transport } = this.#o;
    const signal = this.#abort.signal;
    const wsRetryAt = transport === 'poll' ? Infinity : Date.now() + tuning.wsRetryFromPollMs;
    logger.info({ afterWsFailures }, LOG.pollMode);
    try {
      while (!signal.aborted) {
        if (Date.now() >= wsRetryAt) {
          logger.info(LOG.wsRetryFromPoll);
          return 'ws';
        }
        const result = await pollOnce(client, tuning.pollWaitSeconds, signal);
        if (result.kind === 'messages') {
          this.#state = 'poll';
          this.#backoff.reset();
          if (result.malformed > 0) logger.warn({ count: result.malformed }, LOG.badMessage);
          for (const message of result.messages) this.#dispatch(message);
          continue;
        }
        this.#state = 'connecting';
        if (result.kind === 'unauthorized') {
          logger.error(LOG.credentialRejected);
          await sleep(this.#backoff.toCap(), signal);
          continue;
        }
        logger.warn(result.kind === 'refused' ? { status: result.status } : { err: result.error }, LOG.pollFailed);
        if (result.kind === 'failed' || result.status >= 500) this.#failover();
        await sleep(this.#backoff.next(), signal);
        // Plain HTTP fails too, so long-poll was not the cure: go back to trying the WebSocket.
        if (afterWsFailures && transport === 'auto' && result.kind === 'failed') return 'ws';
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
    return 'stop';
  }
}
