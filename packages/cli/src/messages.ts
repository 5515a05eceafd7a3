/** User-facing text of the CLI, in one place so wording stays consistent and testable. */
import { ENV_API_KEY, ENV_URL } from './config/load.js';

export const MSG = {
  missingApiKey: `no API key: set ${ENV_API_KEY} or pass --api-key (the server prints the first admin key on its first start)`,
  invalidUrl: (url: string) => `invalid server URL "${url}": set ${ENV_URL} or pass --url, e.g. http://127.0.0.1:8080`,
  notAnInteger: (value: string) => `"${value}" is not a positive integer`,
  notATaskId: (value: string) => `"${value}" is not a task id (a positive integer)`,
  endpointRequired: 'retrieve needs at least one --endpoint ID|HOSTNAME',
  pathRequired: 'retrieve needs at least one --path PATH',
  elementExclusive: 'retrieve takes either --element IDs or --endpoint and --path, not both',
  launchMissing: (pkg: string, fn: string) => `${pkg} does not export ${fn}(); is the package complete?`,
  tokenOnce: 'Store this token now: it will not be shown again.',
  keyOnce: 'Store this key now: it will not be shown again.',
  zipPasswordNote: 'The zip is encrypted; its password is shown above.',
  taskCreated: (id: number) => `task ${id} created`,
  taskIdOnly: (id: number) => String(id),
  following: (id: number, n: number) => `following task ${id} on ${n} endpoint(s)…`,
  streamLost: (reason: string) => `event stream lost (${reason}); polling instead`,
  interrupted: (id: number) => `interrupted; task ${id} keeps running on the server (see: quarry tasks show ${id})`,
  taskFinished: (id: number, status: string) => `task ${id} ${status}`,
  noFiles: 'no files were retrieved',
  revokedToken: (id: string) => `enrolment token ${id} revoked`,
  revokedCredential: (id: string) => `credential ${id} revoked`,
  cancelledTask: (id: number, status: string) => `task ${id} cancel requested; status now ${status}`,
  empty: (what: string) => `no ${what}`,
  networkError: (message: string) => `error: ${message}`,
  apiError: (message: string, code: string, requestId: string) =>
    `error: ${message} (${code}${requestId ? `, request ${requestId}` : ''})`,
  usageError: (message: string) => `error: ${message}`,
  usageHint: 'run "quarry --help" for usage',
  unexpectedError: (message: string) => `error: ${message}`,
  downloadFailed: (message: string) => `download failed: ${message}`,
} as const;
