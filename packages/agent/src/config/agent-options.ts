import type { Logger } from 'pino';
import type { LogRotation } from '../logging/rotating-log-file.js';
import type { RetryPolicy } from '../http/call-with-retry.js';
import type { ChannelTuning, TransportMode } from '../transport/control-channel.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const TRANSPORTS: readonly TransportMode[] = ['auto', 'ws', 'poll'];

/** Validated agent settings (see config/load.ts for flags, env names and defaults). */
export interface AgentOptions {
  /** Server root URL, http(s), without a trailing slash: the first of serverUrls. */
  serverUrl: string;
  /**
   * Every node the agent may use, in order of preference (serverUrl first). The agent fails over
   * to the next when its node dies. Absent: serverUrl alone.
   */
  serverUrls?: readonly string[] | undefined;
  /** Enrolment token, needed only while the state dir holds no agent.json. */
  enrollToken?: string | undefined;
  /** Absolute directory holding agent.json. */
  stateDir: string;
  /** Globs a path must match (empty: everything allowed). */
  allow: readonly string[];
  /** Globs a path must not match; deny wins over allow. */
  deny: readonly string[];
  /** Largest file the agent sends, or null for no limit. */
  maxSizeBytes: number | null;
  transport: TransportMode;
  /** Fixed heartbeat interval, or null to follow the server's welcome. */
  heartbeatSeconds: number | null;
  /** Log destination file; stderr when absent. */
  logFile?: string | undefined;
  /** Size rotation of logFile; absent: DEFAULT_LOG_ROTATION. */
  logRotation?: LogRotation | undefined;
  /**
   * Stop when standard input closes. A supervising parent (the server's local agent) holds the
   * other end of a pipe, so the agent stops with it even when the parent is killed outright.
   */
  exitOnStdinClose?: boolean | undefined;
  logLevel: LogLevel;
  /** Embedding and tests: use this logger instead of creating one (logFile/logLevel are then ignored). */
  logger?: Logger | undefined;
  /** Embedding and tests: shorter timings. */
  tuning?: AgentTuning | undefined;
}

/** Timing overrides for tests and embedding; production uses the defaults. */
export interface AgentTuning extends Partial<ChannelTuning> {
  /** Retries of each agent API call. */
  retry?: RetryPolicy;
  /** Enrolment attempts on network errors and 5xx before giving up. */
  enrollAttempts?: number;
}
