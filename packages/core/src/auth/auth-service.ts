import type { AgentPrincipal, ApiPrincipal } from '../services/actor.js';
import type { AuthService } from '../services/contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { isStoreError } from '../ports/store-error.js';
import { inTransaction } from '../shared/outbox.js';
import { recordAudit } from '../audit/record-audit.js';
import { formatApiKey, parseAgentKey, parseApiKey, SECRET_BYTES } from './credential-keys.js';

/** `last_used_at` is written at most this often per credential, so reads stay reads. */
export const LAST_USED_RESOLUTION_MS = 60_000;
export const BOOTSTRAP_ADMIN_NAME = 'admin';
/** What the first admin's id is derived from when no admin key is preset. */
const BOOTSTRAP_ADMIN_ID_LABEL = 'bootstrap-admin';

export function createAuthService(deps: ServiceDeps): AuthService {
  const { store, secrets, clock } = deps;

  return {
    async authenticateApiKey(key: string): Promise<ApiPrincipal | null> {
      const parsed = parseApiKey(key);
      if (!parsed) return null;
      const cred = await store.credentials.get(parsed.id);
      if (!cred || cred.revokedAt !== null) return null;
      if (!secrets.verifySecret(parsed.secret, cred.secretHash)) return null;
      const now = clock.now().getTime();
      if (cred.lastUsedAt === null || cred.lastUsedAt < now - LAST_USED_RESOLUTION_MS) {
        await store.credentials.touch(cred.id, now, now - LAST_USED_RESOLUTION_MS);
      }
      return { type: 'credential', id: cred.id, name: cred.name, role: cred.role, canDownload: cred.canDownload };
    },

    async authenticateAgent(key: string): Promise<AgentPrincipal | null> {
      const parsed = parseAgentKey(key);
      if (!parsed) return null;
      const endpoint = await store.endpoints.get(parsed.id);
      if (!endpoint || !secrets.verifySecret(parsed.secret, endpoint.agentSecretHash)) return null;
      return { type: 'agent', endpointId: endpoint.id };
    },

    async ensureAdmin(presetKey?: string): Promise<{ created: boolean; key?: string }> {
      const preset = presetKey === undefined ? null : parseApiKey(presetKey);
      if (presetKey !== undefined && !preset) throw appError('VALIDATION_FAILED', { reason: 'admin key must look like qk_<16 hex>.<secret>' });
      const bootstrap = (id: string): Promise<{ created: boolean; key?: string }> => inTransaction(deps, async (tx) => {
        if ((await tx.credentials.countActiveAdmins()) > 0) return { created: false };
        const secret = preset?.secret ?? secrets.randomToken(SECRET_BYTES);
        const now = clock.now().getTime();
        await tx.credentials.insert({
          id,
          name: BOOTSTRAP_ADMIN_NAME,
          role: 'admin',
          canDownload: true,
          secretHash: secrets.hashSecret(secret),
          createdAt: now,
          createdBy: 'system',
          lastUsedAt: null,
          revokedAt: null,
        });
        await recordAudit(tx, now, {
          actor: { type: 'system', id: 'bootstrap', ip: null },
          action: 'credential.create',
          target: { type: 'credential', id },
          details: { name: BOOTSTRAP_ADMIN_NAME, role: 'admin', bootstrap: true },
        });
        return { created: true, key: formatApiKey(id, secret) };
      });
      // Without a preset key the first admin's id is still the same on every node sharing the
      // master key, so nodes of a cluster started together create one admin between them, not one each.
      try {
        return await bootstrap(preset?.id ?? secrets.stableHex(BOOTSTRAP_ADMIN_ID_LABEL, 8));
      } catch (err) {
        if (!isStoreError(err, 'unique_violation')) throw err;
        // Another node inserted the same admin at the same moment: it is there, carry on.
        if ((await store.credentials.countActiveAdmins()) > 0) return { created: false };
        // The id is a bootstrap admin revoked since, and no admin is left: make a new one.
        if (preset) throw err;
        return bootstrap(secrets.randomHex(8));
      }
    },
  };
}
