import type { PageOf } from '@quarry/protocol';

/**
 * Walks every page of a list call, passing back each `nextCursor` until it is null.
 *
 * @example
 * for await (const e of paginate((cursor) => client.listEndpoints({ online: true, cursor }))) { … }
 */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<PageOf<T>>,
  firstCursor?: string,
): AsyncGenerator<T, void, undefined> {
  let cursor = firstCursor;
  for (;;) {
    const page = await fetchPage(cursor);
    yield* page.items;
    // A server repeating a cursor would loop forever; treat it as the end.
    if (!page.nextCursor || page.nextCursor === cursor) return;
    cursor = page.nextCursor;
  }
}
