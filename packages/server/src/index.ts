/**
 * @quarry/server: the composition root. Builds the adapters from configuration, serves the native
 * REST API and the agent API (HTTP + WebSocket), and runs the task engine's ticker. May import
 * every other package except @quarry/testing.
 */
export { buildApp, type AppDeps, type QuarryApp } from './app.js';
export { startServer, type RunningServer, type StartServerOptions, ADMIN_KEY_FILE, LOCAL_AGENT_DIR } from './start-server.js';
export { runServerCli, type ServerCliIo } from './run-server-cli.js';
export { loadConfig, ConfigError, type LoadConfigInput } from './config/load.js';
export { ConfigSchema, type ServerConfig } from './config/schema.js';
export { redactConfig } from './config/redact-config.js';
export { renderConfigDoc } from './config/render-config-doc.js';
export { createEventBus, type EventBus } from './events/event-bus.js';
export { createLogger } from './logging/create-logger.js';
export { engineSettingsOf } from './engine-settings.js';
export type { AgentHub } from './agents/agent-hub.js';
