import { createQuarryClient, type QuarryClient } from '@quarry/client';
import { loadConfig } from './config/load.js';
import { MSG } from './messages.js';

/** The slice of a stream the CLI writes to; process.stdout and test buffers both fit. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Everything the CLI touches outside itself, injectable for tests. */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  /** Defaults to process.env (read only by config/load.ts). */
  env?: Record<string, string | undefined>;
  cwd: string;
  now: () => number;
  /** Injected into the client; tests leave it unset. */
  fetch?: typeof fetch;
}

/** Options of the root command, visible to every subcommand. */
export interface GlobalFlags {
  json?: boolean;
  url?: string;
  apiKey?: string;
}

/** Bad invocation: printed with a usage hint, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

const USER_AGENT = 'quarry-cli/0.1.0';

/** Per-invocation view of io and global flags, handed to every command. */
export class CliContext {
  #client: QuarryClient | undefined;

  constructor(
    readonly io: CliIo,
    readonly flags: GlobalFlags,
  ) {}

  get json(): boolean {
    return this.flags.json === true;
  }

  /** Built on first use so commands that need no server never ask for a key. */
  client(): QuarryClient {
    if (this.#client) return this.#client;
    const config = loadConfig({ url: this.flags.url, apiKey: this.flags.apiKey }, this.io.env);
    if (!config.apiKey) throw new CliUsageError(MSG.missingApiKey);
    if (!URL.canParse(config.url) || !/^https?:$/.test(new URL(config.url).protocol)) throw new CliUsageError(MSG.invalidUrl(config.url));
    this.#client = createQuarryClient({ baseUrl: config.url, apiKey: config.apiKey, userAgent: USER_AGENT, fetch: this.io.fetch });
    return this.#client;
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  printJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
