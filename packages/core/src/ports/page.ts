/**
 * Keyset paging as stores see it: at most `limit` rows strictly after `after` in the list's order.
 * Core turns `after` into an opaque cursor; stores never see cursors.
 */
export interface PageRequest<K extends string | number> {
  limit: number;
  after?: K | undefined;
}
