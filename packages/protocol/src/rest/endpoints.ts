import { literalUnion } from '../literal-union.js';
import { Type, type Static } from 'typebox';
import { OS_FAMILIES } from '../states.js';
import { Hex32, NullableTimestamp, PageQuery, Timestamp } from './common.js';

/** A managed machine with an enrolled agent. */
export const EndpointSchema = Type.Object(
  {
    id: Hex32,
    shortId: Type.String({ pattern: '^[0-9a-f]{24}$', description: '24-hex id for APIs that need one' }),
    hostname: Type.String(),
    os: literalUnion(OS_FAMILIES),
    osVersion: Type.String(),
    arch: Type.String(),
    agentVersion: Type.String(),
    ipAddresses: Type.Array(Type.String()),
    online: Type.Boolean(),
    lastSeenAt: NullableTimestamp,
    enrolledAt: Timestamp,
  },
  { $id: 'Endpoint' },
);
export type Endpoint = Static<typeof EndpointSchema>;

export const ListEndpointsQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    hostname: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    os: Type.Optional(literalUnion(OS_FAMILIES)),
    online: Type.Optional(Type.Boolean()),
  }),
]);
export type ListEndpointsQuery = Static<typeof ListEndpointsQuery>;
