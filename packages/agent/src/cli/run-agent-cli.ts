import { loadAgentConfig } from '../config/load.js';
import { CONFIG_MESSAGES, USAGE } from '../config/usage.js';
import { startAgent } from '../start-agent.js';
import { EnrollError } from '../state/enroll-agent.js';
import { StateDirError } from '../state/agent-state.js';

/** Exit codes of the agent command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Where the CLI writes human-readable text; injectable for tests. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /**
   * Resolves when the agent should stop; defaults to the first SIGINT or SIGTERM (or, with
   * --exit-on-stdin-close, the end of standard input).
   */
  untilStopped?: () => Promise<void>;
}

/**
 * Runs the agent command line until SIGINT/SIGTERM. `argv` holds only the arguments (no node
 * binary or script); `quarry agent …` passes what follows its subcommand. Resolves with the exit
 * code: 0 after a clean stop or --help, 2 for invalid options, 1 when the agent cannot start.
 */
export async function runAgentCli(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const loaded = loadAgentConfig(argv);
  if (loaded.kind === 'help') {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (loaded.kind === 'invalid') {
    io.stderr.write(`${CONFIG_MESSAGES.header}\n${loaded.problems.map((p) => `  - ${p}\n`).join('')}${CONFIG_MESSAGES.footer}\n`);
    return EXIT.usage;
  }
  let agent;
  try {
    agent = await startAgent(loaded.options);
  } catch (err) {
    const known = err instanceof EnrollError || err instanceof StateDirError;
    io.stderr.write(`quarry-agent: ${known ? (err as Error).message : `failed to start: ${String(err)}`}\n`);
    return EXIT.failed;
  }
  await (io.untilStopped ?? (() => untilSignal(loaded.options.exitOnStdinClose === true)))();
  await agent.stop();
  return EXIT.ok;
}

function untilSignal(orStdinEnd: boolean): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      if (orStdinEnd) process.stdin.destroy();
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
    if (orStdinEnd) {
      // Read and drop whatever arrives; the end (or an error) means the supervisor is gone.
      process.stdin.on('data', () => {});
      process.stdin.once('end', done);
      process.stdin.once('error', done);
    }
  });
}
