import type { Credential, EnrollToken } from '@quarry/protocol';
import type { CredentialRecord } from '../ports/credential-store.js';
import type { EnrollTokenRecord } from '../ports/enroll-token-store.js';
import { iso, isoOrNull } from '../shared/time.js';

export function toCredential(r: CredentialRecord, key?: string): Credential {
  const c = {
    id: r.id,
    name: r.name,
    role: r.role,
    canDownload: r.canDownload,
    createdAt: iso(r.createdAt),
    createdBy: r.createdBy,
    lastUsedAt: isoOrNull(r.lastUsedAt),
    revokedAt: isoOrNull(r.revokedAt),
    ...(key !== undefined ? { key } : {}),
  };
  return c;
}

export function toEnrollToken(r: EnrollTokenRecord, token?: string): EnrollToken {
  return {
    id: r.id,
    description: r.description,
    maxUses: r.maxUses,
    uses: r.uses,
    expiresAt: iso(r.expiresAt),
    revokedAt: isoOrNull(r.revokedAt),
    createdAt: iso(r.createdAt),
    createdBy: r.createdBy,
    ...(token !== undefined ? { token } : {}),
  };
}
