import type { Command } from 'commander';
import type { CliIo } from '../context.js';
import { MSG } from '../messages.js';

/** What `quarry server` / `quarry agent` hand over to: the package's own CLI entry. */
const LAUNCHERS = {
  server: { pkg: '@quarry/server', fn: 'runServerCli' },
  agent: { pkg: '@quarry/agent', fn: 'runAgentCli' },
} as const;
export type LaunchKind = keyof typeof LAUNCHERS;

export function isLaunchKind(value: string | undefined): value is LaunchKind {
  return value === 'server' || value === 'agent';
}

/**
 * Loads the package lazily (the CLI must work on a machine that only has the client bits) and
 * passes every remaining argument through untouched.
 */
export async function launch(kind: LaunchKind, argv: string[], io: CliIo): Promise<number> {
  const { pkg, fn } = LAUNCHERS[kind];
  // A variable specifier keeps the CLI from depending on these packages at type level.
  const specifier: string = pkg;
  const mod = (await import(specifier)) as Record<string, unknown>;
  const entry = mod[fn];
  if (typeof entry !== 'function') {
    io.stderr.write(`${MSG.launchMissing(pkg, fn)}\n`);
    return 1;
  }
  return (await (entry as (argv: string[]) => Promise<number>)(argv)) ?? 0;
}

/** Registered for `--help` only: main() dispatches these before commander parses anything. */
export function registerLaunchCommands(program: Command, io: CliIo, state: { exitCode: number }): void {
  const descriptions: Record<LaunchKind, string> = {
    server: 'run the Quarry server (options are passed to it; try "quarry server --help")',
    agent: 'run the Quarry agent (options are passed to it; try "quarry agent --help")',
  };
  for (const kind of Object.keys(LAUNCHERS) as LaunchKind[]) {
    program
      .command(kind)
      .description(descriptions[kind])
      .argument('[options...]')
      .allowUnknownOption()
      .allowExcessArguments()
      .helpOption(false)
      .action(async (args: string[]) => {
        state.exitCode = await launch(kind, args, io);
      });
  }
}
