/** Process entry of the standalone agent (bin/quarry-agent.js). */
import { runAgentCli } from './cli/run-agent-cli.js';

const code = await runAgentCli(process.argv.slice(2));
// Exit explicitly: a stray keep-alive socket or timer must not keep a stopped service alive.
process.exit(code);
