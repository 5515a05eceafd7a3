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
export * from './ports/chunk-vault.js';
export * from './ports/event-publisher.js';
export * from './services/actor.js';
export * from './services/engine-settings.js';
export * from './services/contracts.js';
