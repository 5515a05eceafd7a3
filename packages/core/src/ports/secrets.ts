/**
 * Cryptographic helpers the domain needs but may not implement itself (core does no I/O and
 * imports no node built-ins). The server implements it on node:crypto with the master key.
 *
 * @example const key = `qk_${id}.${secrets.randomToken(32)}`; const stored = secrets.hashSecret(secret);
 */
export interface Secrets {
  /** Random bytes as base64url. */
  randomToken(bytes: number): string;
  /** Random bytes as lower-case hex. */
  randomHex(bytes: number): string;
  /** `bytes` bytes as lower-case hex that depend only on `label` and the master key: every node of a cluster derives the same. */
  stableHex(label: string, bytes: number): string;
  /** One-way hash for high-entropy secrets (API keys, agent secrets, enrolment tokens). */
  hashSecret(secret: string): string;
  /** Constant-time comparison of `secret` against a stored `hashSecret` value. */
  verifySecret(secret: string, storedHash: string): boolean;
  /** HMAC over `payload` with the link-signing key, base64url. */
  sign(payload: string): string;
  /** Constant-time check of `sign(payload) === signature`. */
  verifySignature(payload: string, signature: string): boolean;
  /** Encrypts a short secret (a zip password) with the master key so it can be read back later. */
  seal(plaintext: string): string;
  open(sealed: string): string;
}
