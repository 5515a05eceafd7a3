import type { Role } from '@quarry/protocol';
import type { PageRequest } from './page.js';

/** An API credential as stored; only the hash of its secret is kept. */
export interface CredentialRecord {
  id: string;
  name: string;
  role: Role;
  canDownload: boolean;
  secretHash: string;
  createdAt: number;
  createdBy: string;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/**
 * API credentials, listed in id order.
 *
 * @example await store.credentials.touch(id, now, now - 60_000);
 */
export interface CredentialStore {
  insert(record: CredentialRecord): Promise<void>;
  get(id: string): Promise<CredentialRecord | null>;
  list(page: PageRequest<string>): Promise<CredentialRecord[]>;
  /** Sets `revoked_at` unless already revoked; true when this call revoked it. */
  revoke(id: string, at: number): Promise<boolean>;
  /** Sets `last_used_at = at` only when it is null or older than `staleBefore` (bounds writes). */
  touch(id: string, at: number, staleBefore: number): Promise<void>;
  countActiveAdmins(): Promise<number>;
}
