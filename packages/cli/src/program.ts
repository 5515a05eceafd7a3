import { Command } from 'commander';
import { registerAuditCommand } from './commands/audit.js';
import { registerCredentialCommands } from './commands/credentials.js';
import { registerEndpointsCommand } from './commands/endpoints.js';
import { registerEnrollTokenCommands } from './commands/enroll-token.js';
import { registerFileCommands } from './commands/files.js';
import { registerLaunchCommands } from './commands/launch.js';
import { registerRetrieveCommand } from './commands/retrieve.js';
import { createRunner } from './commands/runner.js';
import { registerTaskCommands } from './commands/tasks.js';
import { registerWhoamiCommand } from './commands/whoami.js';
import { registerElementsCommand } from './commands/elements.js';
import { registerSweepCommand } from './commands/sweep.js';
import type { CliIo } from './context.js';
import { MSG } from './messages.js';

export const CLI_VERSION = '0.1.0';

/** The whole command tree. Settings set here (output, exit override) are inherited by subcommands. */
export function buildProgram(io: CliIo, state: { exitCode: number }): Command {
  const program = new Command('quarry')
    .description('Retrieve files from managed endpoints through a Quarry server')
    .version(CLI_VERSION)
    .option('--json', 'machine-readable JSON output')
    .option('--url <url>', 'server URL (default: $QUARRY_URL or http://127.0.0.1:8080)')
    .option('--api-key <key>', 'API key (default: $QUARRY_API_KEY)')
    .exitOverride()
    .showHelpAfterError(MSG.usageHint)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  const run = createRunner(io, state);
  registerLaunchCommands(program, io, state);
  registerWhoamiCommand(program, run);
  registerEndpointsCommand(program, run);
  registerRetrieveCommand(program, run);
  registerSweepCommand(program, run);
  registerElementsCommand(program, run);
  registerTaskCommands(program, run);
  registerFileCommands(program, run);
  registerEnrollTokenCommands(program, run);
  registerCredentialCommands(program, run);
  registerAuditCommand(program, run);
  return program;
}
