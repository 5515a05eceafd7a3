import { literalUnion } from '../literal-union.js';
import { Type, type Static } from 'typebox';
import { PageQuery, Timestamp } from './common.js';

export const ACTOR_TYPES = ['credential', 'agent', 'link', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** One append-only audit record: who did what to which thing, when and from where. */
export const AuditEventSchema = Type.Object(
  {
    id: Type.Integer(),
    at: Timestamp,
    actorType: literalUnion(ACTOR_TYPES),
    actorId: Type.String(),
    action: Type.String({ description: 'dotted verb, e.g. retrieval.create, file.download' }),
    targetType: Type.Union([Type.String(), Type.Null()]),
    targetId: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'AuditEvent' },
);
export type AuditEvent = Static<typeof AuditEventSchema>;

export const ListAuditQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    actorId: Type.Optional(Type.String({ maxLength: 100 })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    targetType: Type.Optional(Type.String({ maxLength: 50 })),
    targetId: Type.Optional(Type.String({ maxLength: 100 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
  }),
]);
export type ListAuditQuery = Static<typeof ListAuditQuery>;
