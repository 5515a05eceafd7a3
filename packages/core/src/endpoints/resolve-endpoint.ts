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
