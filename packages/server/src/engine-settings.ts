import type { EngineSettings } from '@quarry/core';
import type { ServerConfig } from './config/schema.js';

/** The task engine's tunables, taken from the validated configuration. */
export function engineSettingsOf(config: ServerConfig): EngineSettings {
  return {
    chunkSize: config.chunkSize,
    defaultTtlSeconds: config.taskTtlSeconds,
    inactivityTimeoutSeconds: config.inactivityTimeoutSeconds,
    defaultMaxAttempts: config.maxAttempts,
    retryBaseDelaySeconds: config.retryBaseDelaySeconds,
    linkTtlSeconds: config.linkTtlSeconds,
    maxLinkTtlSeconds: config.maxLinkTtlSeconds,
    onlineWindowSeconds: config.onlineWindowSeconds,
    maxTargetEndpoints: config.maxTargetEndpoints,
    maxTargetPaths: config.maxTargetPaths,
  };
}
