/**
 * @quarry/client: typed client for Quarry's native REST API (used by the CLI and the console).
 * Depends on @quarry/protocol only.
 */
export { createQuarryClient, type QuarryClient, type QuarryClientOptions, type CallOptions } from './quarry-client.js';
export { QuarryApiError, QuarryNetworkError, DownloadIntegrityError, DownloadIncompleteError } from './errors.js';
export { paginate } from './paginate.js';
export { SseParser, type SseMessage } from './sse-parser.js';
export type { StreamEventsOptions } from './stream-retrieval-events.js';
export { downloadToFile, PARTIAL_SUFFIX, type DownloadOptions, type DownloadResult } from './download-to-file.js';
