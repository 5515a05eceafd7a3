import type { Secrets } from '../ports/secrets.js';

/** `<linkId>.<expiresAtMs>.<hmac>`: verifiable without a database read, bound to its expiry. */
export function signLinkToken(secrets: Secrets, linkId: string, expiresAtMs: number): string {
  return `${linkId}.${expiresAtMs}.${secrets.sign(`${linkId}.${expiresAtMs}`)}`;
}

const TOKEN = /^([0-9a-f]{32})\.(\d{1,16})\.([A-Za-z0-9_-]{16,128})$/;

/** The link id and expiry when the token is well-formed and its signature checks out, else null. */
export function verifyLinkToken(secrets: Secrets, token: string): { linkId: string; expiresAtMs: number } | null {
  const m = TOKEN.exec(token);
  if (!m || !m[1] || !m[2] || !m[3]) return null;
  if (!secrets.verifySignature(`${m[1]}.${m[2]}`, m[3])) return null;
  return { linkId: m[1], expiresAtMs: Number(m[2]) };
}
