import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/agent-options.js';
import { RotatingLogFile, type LogRotation } from './rotating-log-file.js';

/** Defaults of `--log-max-size` and `--log-keep`: at most 60 MiB of logs on an endpoint. */
export const DEFAULT_LOG_ROTATION: LogRotation = { maxBytes: 10 * 1024 * 1024, keep: 5 };

/** Paths redacted from every log line: credentials and tokens must never reach a log. */
const REDACT = ['credential', 'enrollToken', 'authorization', 'headers.authorization', '*.credential', '*.authorization'];

/**
 * pino JSON logger to `logFile` (appended, directory created, rotated by size) or stderr. Writes are
 * synchronous: an agent logs little, and sync writes mean nothing is lost when the service is
 * stopped or crashes.
 */
export function createAgentLogger(options: { logFile?: string | undefined; logLevel: LogLevel; logRotation?: LogRotation | undefined }): Logger {
  const destination = options.logFile
    ? new RotatingLogFile(options.logFile, options.logRotation ?? DEFAULT_LOG_ROTATION)
    : pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.logLevel,
      base: { component: 'quarry-agent', pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
