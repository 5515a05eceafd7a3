import { literalUnion } from '../literal-union.js';
import { Type, type Static } from 'typebox';
import { OS_FAMILIES } from '../states.js';

/** `POST /agent/v1/enroll`: the only agent call authenticated by an enrolment token instead of a credential. */
export const EnrollRequestSchema = Type.Object(
  {
    enrollToken: Type.String({ minLength: 1, maxLength: 200 }),
    hostname: Type.String({ minLength: 1, maxLength: 255 }),
    os: literalUnion(OS_FAMILIES),
    osVersion: Type.String({ maxLength: 200 }),
    arch: Type.String({ maxLength: 50 }),
    agentVersion: Type.String({ maxLength: 50 }),
    ipAddresses: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 }),
  },
  { additionalProperties: false },
);
export type EnrollRequest = Static<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = Type.Object({
  endpointId: Type.String(),
  /** `qa_<endpointId>.<secret>`: sent as `Authorization: Bearer …` on every later agent call. Shown once. */
  credential: Type.String(),
});
export type EnrollResponse = Static<typeof EnrollResponseSchema>;

/** Prefixes that tell credential kinds apart before any database lookup. */
export const API_KEY_PREFIX = 'qk_';
export const AGENT_KEY_PREFIX = 'qa_';
export const ENROLL_TOKEN_PREFIX = 'qe_';
