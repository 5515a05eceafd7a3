/**
 * @quarry/cli: the `quarry` command. Depends on @quarry/client and @quarry/protocol; imports
 * @quarry/server and @quarry/agent only dynamically, to launch them.
 */
export { main, defaultIo } from './main.js';
export type { CliIo, OutStream } from './context.js';
