import type { AgentMessage, Endpoint, ListEndpointsQuery, PageOf } from '@quarry/protocol';
import type { EndpointService } from '../services/contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { decodeCursor, pageLimit, toPage } from '../shared/paging.js';
import { toEndpoint } from './endpoint-wire.js';
import { resolveEndpoint } from './resolve-endpoint.js';

/** Endpoint listing and the connection state the agent hub reports. */
export function createEndpointService(deps: ServiceDeps): EndpointService {
  const { store, clock, settings } = deps;
  const window = settings.onlineWindowSeconds;

  return {
    async list(query: ListEndpointsQuery): Promise<PageOf<Endpoint>> {
      const q = query as { limit?: number; cursor?: string; hostname?: string; os?: Endpoint['os']; online?: boolean };
      const limit = pageLimit(q.limit);
      const now = clock.now().getTime();
      const rows = await store.endpoints.list(
        { hostname: q.hostname, os: q.os, online: q.online, onlineSince: now - window * 1000 },
        { limit: limit + 1, after: decodeCursor(q.cursor, 'string') },
      );
      return toPage(rows, limit, (r) => r.id, (r) => toEndpoint(r, now, window));
    },

    async get(ref: string): Promise<Endpoint> {
      return toEndpoint(await resolveEndpoint(store, ref), clock.now().getTime(), window);
    },

    async markConnected(endpointId: string, hello: Extract<AgentMessage, { type: 'hello' }> | null, _ip: string | null): Promise<void> {
      const now = clock.now().getTime();
      await store.endpoints.update(endpointId, {
        connected: true,
        lastSeenAt: now,
        ...(hello
          ? {
              hostname: hello.hostname,
              os: hello.os,
              osVersion: hello.osVersion,
              arch: hello.arch,
              agentVersion: hello.agentVersion,
              ipAddresses: hello.ipAddresses,
            }
          : {}),
      });
    },

    async markSeen(endpointId: string): Promise<void> {
      await store.endpoints.update(endpointId, { lastSeenAt: clock.now().getTime() });
    },

    async markDisconnected(endpointId: string): Promise<void> {
      await store.endpoints.update(endpointId, { connected: false });
    },
  };
}
