import type { CreateCredentialBody, Credential, PageOf, PageQuery } from '@quarry/protocol';
import type { Actor } from '../services/actor.js';
import type { CredentialService } from '../services/contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { recordAudit } from '../audit/record-audit.js';
import { actorRef } from '../shared/actor-ref.js';
import { inTransaction } from '../shared/outbox.js';
import { decodeCursor, pageLimit, toPage } from '../shared/paging.js';
import { formatApiKey, SECRET_BYTES } from './credential-keys.js';
import { toCredential } from './credential-wire.js';

export function createCredentialService(deps: ServiceDeps): CredentialService {
  const { store, secrets, clock } = deps;

  return {
    async create(actor: Actor, body: CreateCredentialBody): Promise<Credential> {
      const b = body as { name: string; role: 'viewer' | 'responder' | 'admin'; canDownload?: boolean };
      const id = secrets.randomHex(8);
      const secret = secrets.randomToken(SECRET_BYTES);
      const now = clock.now().getTime();
      // Viewers cannot read contents whatever the flag says; responders and admins may by default.
      const canDownload = b.role === 'viewer' ? false : (b.canDownload ?? true);
      const record = {
        id,
        name: b.name,
        role: b.role,
        canDownload,
        secretHash: secrets.hashSecret(secret),
        createdAt: now,
        createdBy: actorRef(actor).id,
        lastUsedAt: null,
        revokedAt: null,
      };
      await inTransaction(deps, async (tx) => {
        await tx.credentials.insert(record);
        await recordAudit(tx, now, {
          actor,
          action: 'credential.create',
          target: { type: 'credential', id },
          details: { name: b.name, role: b.role, canDownload },
        });
      });
      return toCredential(record, formatApiKey(id, secret));
    },

    async list(query: PageQuery): Promise<PageOf<Credential>> {
      const limit = pageLimit(query.limit);
      const rows = await store.credentials.list({ limit: limit + 1, after: decodeCursor(query.cursor, 'string') });
      return toPage(rows, limit, (r) => r.id, (r) => toCredential(r));
    },

    async revoke(actor: Actor, id: string): Promise<Credential> {
      const now = clock.now().getTime();
      return inTransaction(deps, async (tx) => {
        const existing = await tx.credentials.get(id);
        if (!existing) throw appError('CREDENTIAL_NOT_FOUND', { id });
        if (await tx.credentials.revoke(id, now)) {
          await recordAudit(tx, now, { actor, action: 'credential.revoke', target: { type: 'credential', id }, details: { name: existing.name } });
        }
        const after = await tx.credentials.get(id);
        return toCredential(after ?? existing);
      });
    },
  };
}
