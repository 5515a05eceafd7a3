import type { CreateEnrollTokenBody, EnrollRequest, EnrollResponse, EnrollToken, PageOf, PageQuery } from '@quarry/protocol';
import type { Actor } from '../services/actor.js';
import type { EnrollmentService } from '../services/contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { recordAudit } from '../audit/record-audit.js';
import { actorRef } from '../shared/actor-ref.js';
import { inTransaction } from '../shared/outbox.js';
import { decodeCursor, pageLimit, toPage } from '../shared/paging.js';
import { formatAgentKey, formatEnrollToken, parseEnrollToken, SECRET_BYTES } from './credential-keys.js';
import { toEnrollToken } from './credential-wire.js';

export const DEFAULT_ENROLL_TOKEN_TTL_SECONDS = 86_400;

export function createEnrollmentService(deps: ServiceDeps): EnrollmentService {
  const { store, secrets, clock } = deps;

  return {
    async createToken(actor: Actor, body: CreateEnrollTokenBody): Promise<EnrollToken> {
      const id = secrets.randomHex(8);
      const secret = secrets.randomToken(SECRET_BYTES);
      const now = clock.now().getTime();
      const record = {
        id,
        secretHash: secrets.hashSecret(secret),
        description: body.description ?? '',
        maxUses: body.maxUses ?? null,
        uses: 0,
        expiresAt: now + (body.expiresInSeconds ?? DEFAULT_ENROLL_TOKEN_TTL_SECONDS) * 1000,
        revokedAt: null,
        createdAt: now,
        createdBy: actorRef(actor).id,
      };
      await inTransaction(deps, async (tx) => {
        await tx.enrollTokens.insert(record);
        await recordAudit(tx, now, {
          actor,
          action: 'enroll_token.create',
          target: { type: 'enroll_token', id },
          details: { description: record.description, maxUses: record.maxUses, expiresAt: new Date(record.expiresAt).toISOString() },
        });
      });
      return toEnrollToken(record, formatEnrollToken(id, secret));
    },

    async listTokens(query: PageQuery): Promise<PageOf<EnrollToken>> {
      const limit = pageLimit(query.limit);
      const rows = await store.enrollTokens.list({ limit: limit + 1, after: decodeCursor(query.cursor, 'string') });
      return toPage(rows, limit, (r) => r.id, (r) => toEnrollToken(r));
    },

    async revokeToken(actor: Actor, id: string): Promise<EnrollToken> {
      const now = clock.now().getTime();
      return inTransaction(deps, async (tx) => {
        const existing = await tx.enrollTokens.get(id);
        if (!existing) throw appError('ENROLL_TOKEN_NOT_FOUND', { id });
        if (await tx.enrollTokens.revoke(id, now)) {
          await recordAudit(tx, now, { actor, action: 'enroll_token.revoke', target: { type: 'enroll_token', id } });
        }
        return toEnrollToken((await tx.enrollTokens.get(id)) ?? existing);
      });
    },

    async enroll(request: EnrollRequest, ip: string | null): Promise<EnrollResponse> {
      const parsed = parseEnrollToken(request.enrollToken);
      if (!parsed) throw appError('ENROLL_TOKEN_INVALID');
      const token = await store.enrollTokens.get(parsed.id);
      if (!token || !secrets.verifySecret(parsed.secret, token.secretHash)) throw appError('ENROLL_TOKEN_INVALID');
      const endpointId = secrets.randomHex(16);
      const agentSecret = secrets.randomToken(SECRET_BYTES);
      const now = clock.now().getTime();
      const agentSecretHash = secrets.hashSecret(agentSecret);
      await inTransaction(deps, async (tx) => {
        await tx.endpoints.insert({
          id: endpointId,
          shortId: secrets.randomHex(12),
          hostname: request.hostname,
          os: request.os as 'linux' | 'macos' | 'windows',
          osVersion: request.osVersion,
          arch: request.arch,
          agentVersion: request.agentVersion,
          ipAddresses: request.ipAddresses,
          agentSecretHash,
          enrolledAt: now,
          lastSeenAt: null,
          connected: false,
        });
        await recordAudit(tx, now, {
          actor: { type: 'agent', endpointId, ip },
          action: 'endpoint.enroll',
          target: { type: 'endpoint', id: endpointId },
          details: { hostname: request.hostname, os: request.os, enrollTokenId: token.id },
        });
        // Last: the use count's row lock is then held only until the commit. Every agent of a
        // rollout enrols with the same token, so everything done after taking that lock is done
        // one agent at a time (taking it first capped enrolment near 200 agents/s). A refused use
        // rolls back the endpoint and the audit entry.
        if (!(await tx.enrollTokens.consumeUse(token.id, now))) throw appError('ENROLL_TOKEN_INVALID');
      });
      return { endpointId, credential: formatAgentKey(endpointId, agentSecret) };
    },
  };
}
