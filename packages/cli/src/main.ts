/**
 * @quarry/cli entry: `main(argv)` runs one invocation and resolves to the exit code
 * (0 success, 1 failure, 2 usage error). It never calls process.exit so tests can call it.
 */
import { cwd } from 'node:process';
import { isLaunchKind, launch } from './commands/launch.js';
import type { CliIo } from './context.js';
import { buildProgram } from './program.js';
import { reportError } from './report-error.js';

export function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: cwd(), now: Date.now };
}

/** `argv` excludes node and the script: `['retrieve', '--endpoint', 'web-1', …]`. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  try {
    // server/agent own their flags (including --help), so commander must not see them.
    const [first, ...rest] = argv;
    if (isLaunchKind(first)) return await launch(first, rest, io);
    const state = { exitCode: 0 };
    await buildProgram(io, state).parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (err) {
    return reportError(err, io.stderr);
  }
}
