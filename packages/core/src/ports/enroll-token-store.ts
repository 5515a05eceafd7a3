import type { PageRequest } from './page.js';

/** An enrolment token as stored; only the hash of its secret is kept. */
export interface EnrollTokenRecord {
  id: string;
  secretHash: string;
  description: string;
  maxUses: number | null;
  uses: number;
  expiresAt: number;
  revokedAt: number | null;
  createdAt: number;
  createdBy: string;
}

/**
 * Enrolment tokens, listed in id order.
 *
 * @example if (!(await store.enrollTokens.consumeUse(id, now))) throw appError('ENROLL_TOKEN_INVALID');
 */
export interface EnrollTokenStore {
  insert(record: EnrollTokenRecord): Promise<void>;
  get(id: string): Promise<EnrollTokenRecord | null>;
  list(page: PageRequest<string>): Promise<EnrollTokenRecord[]>;
  revoke(id: string, at: number): Promise<boolean>;
  /**
   * Atomically takes one use: succeeds only while the token is unrevoked, unexpired at `now` and
   * below `max_uses`. False when any of those fails (including a lost race for the last use).
   */
  consumeUse(id: string, now: number): Promise<boolean>;
}
