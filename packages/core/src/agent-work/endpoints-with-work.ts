import type { ServiceDeps } from '../shared/service-deps.js';

/** Endpoint ids per query: keeps the IN list well inside every database's parameter limit. */
export const ENDPOINTS_PER_QUERY = 500;

/** The endpoints among `endpointIds` with due queued subtasks, in batches of ENDPOINTS_PER_QUERY. */
export async function endpointsWithWork(deps: ServiceDeps, endpointIds: readonly string[]): Promise<string[]> {
  const now = deps.clock.now().getTime();
  const out: string[] = [];
  for (let i = 0; i < endpointIds.length; i += ENDPOINTS_PER_QUERY) {
    out.push(...(await deps.store.subtasks.listEndpointsWithClaimable(endpointIds.slice(i, i + ENDPOINTS_PER_QUERY), now)));
  }
  return out;
}
