import type { Endpoint } from '@quarry/protocol';
import type { EndpointRecord } from '../ports/endpoint-store.js';
import { iso, isoOrNull } from '../shared/time.js';

/** Online: connected to some node and heard from within the window. */
export function isOnline(e: EndpointRecord, now: number, onlineWindowSeconds: number): boolean {
  return e.connected && e.lastSeenAt !== null && e.lastSeenAt >= now - onlineWindowSeconds * 1000;
}

export function toEndpoint(e: EndpointRecord, now: number, onlineWindowSeconds: number): Endpoint {
  const endpoint = {
    id: e.id,
    shortId: e.shortId,
    hostname: e.hostname,
    os: e.os,
    osVersion: e.osVersion,
    arch: e.arch,
    agentVersion: e.agentVersion,
    ipAddresses: e.ipAddresses,
    online: isOnline(e, now, onlineWindowSeconds),
    lastSeenAt: isoOrNull(e.lastSeenAt),
    enrolledAt: iso(e.enrolledAt),
  };
  return endpoint;
}
