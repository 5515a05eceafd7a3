import type { Logger } from 'pino';
import { NetworkError, type HttpClient } from '../http/http-client.js';
import { ServerRejectedError } from '../http/api-errors.js';
import { LOG } from '../logging/log-messages.js';
import type { ServerList } from '../transport/server-list.js';
import { EnrollError } from './enroll-agent.js';

/**
 * Runs `attempt` (load the state or enrol) against the current server and, while it fails because
 * that node is unreachable or broken (network error, 5xx), against each other node once. A refusal
 * (bad token, 4xx) is the same on every node of a deployment and is thrown at once.
 */
export async function enrollOnAnyServer<T>(servers: ServerList, client: HttpClient, logger: Logger, attempt: (serverUrl: string) => Promise<T>): Promise<T> {
  for (let tried = 1; ; tried += 1) {
    try {
      return await attempt(servers.current);
    } catch (err) {
      if (!(err instanceof EnrollError) || !nodeFault(err.cause) || tried >= servers.size) throw err;
      const from = servers.current;
      client.useServer(servers.advance());
      logger.warn({ from, to: servers.current, err: err.message }, LOG.serverFailover);
    }
  }
}

function nodeFault(cause: unknown): boolean {
  return cause instanceof NetworkError || (cause instanceof ServerRejectedError && cause.status >= 500);
}
