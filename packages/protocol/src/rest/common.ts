import { Type, type Static, type TSchema } from 'typebox';

/** ISO-8601 UTC timestamp with milliseconds, e.g. `2026-11-23T16:26:41.000Z`. */
export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/** Lower-case hex strings of fixed length. */
export const Hex32 = Type.String({ pattern: '^[0-9a-f]{32}$' });
export const Md5Hex = Type.String({ pattern: '^[0-9a-f]{32}$' });
export const Sha1Hex = Type.String({ pattern: '^[0-9a-f]{40}$' });
export const Sha256Hex = Type.String({ pattern: '^[0-9a-f]{64}$' });

/** Integer id as used for tasks, subtasks and files (vendor APIs need integers). */
export const IntId = Type.Integer({ minimum: 1 });
/** Path parameter holding an integer id; fastify coerces the string. */
export const IntIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const StringIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

/** Cursor paging shared by every list call. `cursor` is opaque; pass back `nextCursor`. */
export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type PageQuery = Static<typeof PageQuery>;

export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}
export interface PageOf<T> {
  items: T[];
  nextCursor: string | null;
}
