/**
 * @quarry/core: the domain, task engine and use cases, and the ports adapters implement.
 * May import @quarry/protocol only; no I/O, no node built-ins (type-only imports of node:stream
 * in ports excepted).
 */
export * from './errors/app-error.js';
export * from './errors/catalogue.js';
export * from './ports/clock.js';
export * from './ports/logger.js';
export * from './ports/secrets.js';
export * from './ports/blob-store.js';
export * from './ports/blob-keys.js';
export * from './ports/chunk-vault.js';
export * from './ports/event-publisher.js';
export * from './services/actor.js';
export * from './services/engine-settings.js';
export * from './services/contracts.js';
export * from './ports/page.js';
export * from './ports/store-error.js';
export * from './ports/endpoint-store.js';
export * from './ports/credential-store.js';
export * from './ports/enroll-token-store.js';
export * from './ports/task-store.js';
export * from './ports/subtask-store.js';
export * from './ports/file-op-store.js';
export * from './ports/upload-store.js';
export * from './ports/link-store.js';
export * from './ports/audit-store.js';
export * from './ports/sweep-store.js';
export * from './ports/element-store.js';
export * from './ports/quarry-store.js';
export * from './services/sweep-contracts.js';
export * from './create-quarry-services.js';
export { SUBTASK_TRANSITIONS, ACTIVE_SUBTASK_STATES, canTransition } from './subtasks/subtask-transitions.js';
export { deriveTaskStatus, isEndedTaskStatus } from './tasks/derive-task-status.js';
export { pathProblem, PATH_REASONS } from './tasks/validate-path.js';
export { retryDelayMs } from './subtasks/retry-backoff.js';
export { fileNameOf } from './files/file-wire.js';
export { DOWNLOADS_PATH } from './files/file-service.js';
export { ABANDONED_UPLOAD_GRACE_MS } from './files/collect-abandoned-uploads.js';
export { encodeCursor, decodeCursor } from './shared/paging.js';
export { resolveEndpoint, resolveEndpoints } from './endpoints/resolve-endpoint.js';
