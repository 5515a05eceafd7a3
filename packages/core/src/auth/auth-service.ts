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
      const bootstrap = (): Promise<{ created: boolean; key?: string }> => inTransaction(deps, async (tx) => {
        if ((await tx.credentials.countActiveAdmins()) > 0) return { created: false };
        const id = preset?.id ?? secrets.randomHex(8);
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
      try {
        return await bootstrap();
      } catch (err) {
        // Nodes of one cluster started together with the same preset key both see no admin and
        // both insert it; the one that loses finds it registered by the other and carries on.
        if (preset && isStoreError(err, 'unique_violation') && (await store.credentials.countActiveAdmins()) > 0) return { created: false };
        throw err;
      }
    },
  };
}
