import type { FileElement, ListElementsQuery, PageOf } from '@quarry/protocol';
import type { ElementService } from '../services/sweep-contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { resolveEndpoint } from '../endpoints/resolve-endpoint.js';
import { decodeCursor, pageLimit, toPage } from '../shared/paging.js';
import { hashFilterOf } from './hash-kind.js';
import { nameLike, pathLike } from './like-pattern.js';
import { toElement } from './sweep-wire.js';

export function createElementService(deps: ServiceDeps): ElementService {
  const { store } = deps;
  return {
    async list(query: ListElementsQuery): Promise<PageOf<FileElement>> {
      const q = query as { limit?: number; cursor?: string; endpointId?: string; name?: string; path?: string; hash?: string };
      const limit = pageLimit(q.limit);
      const endpointId = q.endpointId === undefined ? undefined : (await resolveEndpoint(store, q.endpointId)).id;
      const rows = await store.elements.list(
        { endpointId, nameLike: nameLike(q.name), pathLike: pathLike(q.path), ...hashFilterOf(q.hash) },
        { limit: limit + 1, after: decodeCursor(q.cursor, 'number') },
      );
      return toPage(rows, limit, (r) => r.id, toElement);
    },
    async get(elementId: number): Promise<FileElement> {
      const element = await store.elements.get(elementId);
      if (!element) throw appError('ELEMENT_NOT_FOUND', { elementId });
      return toElement(element);
    },
  };
}
