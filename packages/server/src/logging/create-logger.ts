import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** Paths pino replaces with `[redacted]` wherever they appear in a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'request.headers.authorization',
  'headers.authorization',
  'authorization',
  'config.adminKey',
  'config.masterKey',
  'password',
  'token',
];

/** The server's root logger: pino with credential redaction. Logs go to stderr so stdout stays for the startup banner. */
export function createLogger(level: string, destination?: DestinationStream): PinoLogger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination ?? pino.destination(2));
}
