import { ConfigError, loadConfig } from './config/load.js';
import { redactConfig } from './config/redact-config.js';
import { SERVER_MESSAGES, SERVER_USAGE } from './messages.js';
import { startServer } from './start-server.js';
import { createLogger } from './logging/create-logger.js';
import { migrateDatabase } from './startup/migrate-database.js';
import { MIGRATION_MESSAGES } from './startup/migration-policy.js';
import { StartRefusedError } from './startup/start-refused-error.js';

/** Streams the CLI writes to; tests pass their own. */
export interface ServerCliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env?: Readonly<Record<string, string | undefined>>;
  /** Resolves when the process is asked to stop; defaults to the first SIGINT or SIGTERM. */
  stopSignal?: Promise<unknown>;
}

const defaultIo = (): ServerCliIo => ({ stdout: process.stdout, stderr: process.stderr });

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function printConfig(argv: string[], io: ServerCliIo): number {
  const redacted = argv.includes('--redacted');
  const config = loadConfig({ argv: argv.filter((a) => a !== '--redacted'), ...(io.env ? { env: io.env } : {}) });
  io.stdout.write(`${JSON.stringify(redacted ? redactConfig(config) : config, null, 2)}\n`);
  return 0;
}

/** `quarry server migrate [flags]`: applies pending migrations to the configured database and exits. */
async function migrateOnly(argv: string[], io: ServerCliIo): Promise<number> {
  const config = loadConfig({ argv, ...(io.env ? { env: io.env } : {}) });
  const applied = await migrateDatabase(config, createLogger(config.logLevel));
  io.stdout.write(`${MIGRATION_MESSAGES.applied(applied)}\n`);
  return 0;
}

/**
 * `quarry server [flags]` and `quarry server config print [--redacted]`. Returns the exit code:
 * 0 after a clean shutdown, 2 for invalid configuration, 1 when the server fails to start.
 */
export async function runServerCli(argv: string[], io: ServerCliIo = defaultIo()): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(SERVER_USAGE);
    return 0;
  }
  try {
    if (argv[0] === 'config' && argv[1] === 'print') return printConfig(argv.slice(2), io);
    if (argv[0] === 'migrate' || argv.includes('--migrate-only')) return await migrateOnly(argv.filter((a) => a !== 'migrate' && a !== '--migrate-only'), io);
    const config = loadConfig({ argv, ...(io.env ? { env: io.env } : {}) });
    const server = await startServer(config, { print: (line) => io.stdout.write(`${line}\n`) });
    await (io.stopSignal ?? untilSignal());
    io.stdout.write(`${SERVER_MESSAGES.stopping}\n`);
    await server.close();
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${SERVER_MESSAGES.configInvalid}\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 2;
    }
    if (err instanceof StartRefusedError) {
      io.stderr.write(`${SERVER_MESSAGES.startRefused}\n${err.problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 2;
    }
    io.stderr.write(`quarry server: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
