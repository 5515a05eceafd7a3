/**
 * Process entry of the server (`node --import tsx packages/server/src/main.ts [flags]`); the
 * `quarry server` command calls runServerCli directly.
 */
import { runServerCli } from './run-server-cli.js';

const code = await runServerCli(process.argv.slice(2));
// Exit explicitly: a lingering handle (a slow client socket) must not keep a stopped server alive.
process.exit(code);
