import { Type, type Static } from 'typebox';
import { NullableTimestamp, Timestamp } from './common.js';

export const CreateEnrollTokenBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 200 })),
    /** Omit for a token usable any number of times until it expires. */
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 31_536_000, default: 86_400 })),
  },
  { additionalProperties: false },
);
export type CreateEnrollTokenBody = Static<typeof CreateEnrollTokenBody>;

export const EnrollTokenSchema = Type.Object(
  {
    id: Type.String(),
    description: Type.String(),
    maxUses: Type.Union([Type.Integer(), Type.Null()]),
    uses: Type.Integer(),
    expiresAt: Timestamp,
    revokedAt: NullableTimestamp,
    createdAt: Timestamp,
    createdBy: Type.String(),
    /** Present only in the response that created the token. */
    token: Type.Optional(Type.String()),
  },
  { $id: 'EnrollToken' },
);
export type EnrollToken = Static<typeof EnrollTokenSchema>;
