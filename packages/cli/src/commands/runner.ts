import type { Command } from 'commander';
import { CliContext, type CliIo, type GlobalFlags } from '../context.js';

/** A command body: positional arguments, its own options, and the shared context. */
/** `args` are the positionals after their argParser ran (ids arrive as numbers). */
export type CommandBody<O> = (ctx: CliContext, opts: O, args: readonly unknown[]) => Promise<number | void>;

/** Wraps command bodies into commander actions that record the exit code. */
export type Runner = <O>(body: CommandBody<O>) => (...actionArgs: unknown[]) => Promise<void>;

export function createRunner(io: CliIo, state: { exitCode: number }): Runner {
  return <O>(body: CommandBody<O>) =>
    async (...actionArgs: unknown[]) => {
      // commander passes (...positionals, options, command).
      const cmd = actionArgs.at(-1) as Command;
      const opts = actionArgs.at(-2) as O;
      const args = actionArgs.slice(0, -2);
      const ctx = new CliContext(io, cmd.optsWithGlobals<GlobalFlags>());
      state.exitCode = (await body(ctx, opts, args)) ?? 0;
    };
}
