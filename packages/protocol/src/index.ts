/**
 * @quarry/protocol: wire contracts only (schemas, enums, codes). Imports nothing internal, does no I/O.
 */
export * from './literal-union.js';
export * from './states.js';
export * from './failure-codes.js';
export * from './errors.js';
export * from './rest/common.js';
export * from './rest/endpoints.js';
export * from './rest/enroll-tokens.js';
export * from './rest/credentials.js';
export * from './rest/retrievals.js';
export * from './rest/files.js';
export * from './rest/audit.js';
export * from './rest/sweeps.js';
export * from './sweep/glob.js';
export * from './sweep/sweep-paths.js';
export * from './agent/enroll.js';
export * from './agent/messages.js';
export * from './agent/reports.js';
export * from './agent/sweep.js';
