import pino, { type Logger } from 'pino';
import type { LogLevel } from '../config/agent-options.js';

/** Paths redacted from every log line: credentials and tokens must never reach a log. */
const REDACT = ['credential', 'enrollToken', 'authorization', 'headers.authorization', '*.credential', '*.authorization'];

/**
 * pino JSON logger to `logFile` (appended, directory created) or stderr. Writes are synchronous:
 * an agent logs little, and sync writes mean nothing is lost when the service is stopped or crashes.
 */
export function createAgentLogger(options: { logFile?: string | undefined; logLevel: LogLevel }): Logger {
  const destination = options.logFile
    ? pino.destination({ dest: options.logFile, mkdir: true, sync: true, append: true })
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
