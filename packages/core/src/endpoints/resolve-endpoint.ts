import type { EndpointRecord } from '../ports/endpoint-store.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import { appError } from '../errors/catalogue.js';

const ENDPOINT_ID = /^[0-9a-fA-F]{32}$/;
const SHORT_ID = /^[0-9a-fA-F]{24}$/;

/**
 * Finds an endpoint by 32-hex id, 24-hex short id or exact hostname (ids first; a hostname that
 * happens to look like an id still resolves when no id matches).
 */
export async function resolveEndpoint(store: QuarryStore, ref: string): Promise<EndpointRecord> {
  if (ENDPOINT_ID.test(ref)) {
    const byId = await store.endpoints.get(ref.toLowerCase());
    if (byId) return byId;
  } else if (SHORT_ID.test(ref)) {
    const byShort = await store.endpoints.getByShortId(ref.toLowerCase());
    if (byShort) return byShort;
  }
  const byName = await store.endpoints.findByHostname(ref, 2);
  if (byName.length > 1) throw appError('ENDPOINT_AMBIGUOUS', { endpoint: ref });
  const only = byName[0];
  if (!only) throw appError('ENDPOINT_NOT_FOUND', { endpoint: ref });
  return only;
}

/**
 * resolveEndpoint for many refs at once, with a few set queries instead of one or two per ref
 * (a retrieval may target 10,000 endpoints). Same rules, same errors: the first ref, in the
 * given order, that matches nothing or several hostnames fails the whole call. Returns one
 * record per ref, in order.
 */
export async function resolveEndpoints(store: QuarryStore, refs: readonly string[]): Promise<EndpointRecord[]> {
  const ids = refs.filter((r) => ENDPOINT_ID.test(r)).map((r) => r.toLowerCase());
  const shortIds = refs.filter((r) => SHORT_ID.test(r)).map((r) => r.toLowerCase());
  const byId = new Map((await store.endpoints.getMany(ids)).map((e) => [e.id, e]));
  const byShort = new Map((await store.endpoints.getManyByShortId(shortIds)).map((e) => [e.shortId, e]));
  const idMatch = (ref: string): EndpointRecord | undefined =>
    ENDPOINT_ID.test(ref) ? byId.get(ref.toLowerCase()) : SHORT_ID.test(ref) ? byShort.get(ref.toLowerCase()) : undefined;
  const names = refs.filter((r) => idMatch(r) === undefined);
  const byName = new Map<string, EndpointRecord[]>();
  for (const e of await store.endpoints.findByHostnames(names)) {
    const list = byName.get(e.hostname);
    if (list) list.push(e);
    else byName.set(e.hostname, [e]);
  }
  return refs.map((ref) => {
    const matched = idMatch(ref);
    if (matched) return matched;
    const named = byName.get(ref) ?? [];
    if (named.length > 1) throw appError('ENDPOINT_AMBIGUOUS', { endpoint: ref });
    const only = named[0];
    if (!only) throw appError('ENDPOINT_NOT_FOUND', { endpoint: ref });
    return only;
  });
}
