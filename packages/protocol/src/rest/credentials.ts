import { literalUnion } from '../literal-union.js';
import { Type, type Static } from 'typebox';
import { ROLES } from '../states.js';
import { NullableTimestamp, Timestamp } from './common.js';

export const RoleSchema = literalUnion(ROLES);

export const CreateCredentialBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: RoleSchema,
    /** Responders may download by default; set false for "may start retrievals, may not read contents". */
    canDownload: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateCredentialBody = Static<typeof CreateCredentialBody>;

export const CredentialSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    role: RoleSchema,
    canDownload: Type.Boolean(),
    createdAt: Timestamp,
    createdBy: Type.String(),
    lastUsedAt: NullableTimestamp,
    revokedAt: NullableTimestamp,
    /** `qk_<id>.<secret>`; present only in the response that created the credential. */
    key: Type.Optional(Type.String()),
  },
  { $id: 'Credential' },
);
export type Credential = Static<typeof CredentialSchema>;

/** What `GET /api/v1/me` returns. */
export const WhoAmISchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  canDownload: Type.Boolean(),
  permissions: Type.Array(Type.String()),
});
export type WhoAmI = Static<typeof WhoAmISchema>;
