import { ConfigError, loadConfig } from './config/load.js';
import { redactConfig } from './config/redact-config.js';
import { SERVER_MESSAGES, SERVER_USAGE } from './messages.js';
import { startServer } from './start-server.js';

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
    io.stderr.write(`quarry server: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
