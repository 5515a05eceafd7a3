/**
 * @quarry/agent: the endpoint agent. Enrols with a Quarry server, keeps a control channel
 * (WebSocket, HTTP long-poll fallback) and uploads requested files in verified chunks.
 * Depends on @quarry/protocol only (plus ws and pino).
 */
export { runAgentCli, EXIT, type CliIo } from './cli/run-agent-cli.js';
export { startAgent, type RunningAgent } from './start-agent.js';
export type { AgentOptions, AgentTuning, LogLevel } from './config/agent-options.js';
export { loadAgentConfig, type LoadResult } from './config/load.js';
export { EnrollError } from './state/enroll-agent.js';
export { StateDirError, STATE_FILE, type AgentState } from './state/agent-state.js';
export type { ChannelState, TransportMode } from './transport/control-channel.js';
export { AGENT_VERSION } from './host/host-info.js';
