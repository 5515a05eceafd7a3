import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appError, type Secrets } from '@quarry/core';
import { openBytes, sealBytes } from './aead.js';
import { deriveSubkey } from './key-derivation.js';

const SEAL_AAD = Buffer.from('quarry/v1/sealed-secret');
const REASON_SEALED_INVALID = 'sealed value is corrupt or was sealed under another master key';

/**
 * {@link Secrets} on node:crypto. Signing and sealing use separate HKDF subkeys of the master key.
 *
 * @example const secrets = createNodeSecrets(await loadOrCreateMasterKey({ dataDir })); secrets.sign('file:42:1700000000');
 */
export function createNodeSecrets(masterKey: Buffer): Secrets {
  const signingKey = deriveSubkey(masterKey, 'linkSigning');
  const sealingKey = deriveSubkey(masterKey, 'sealing');
  const stableIdKey = deriveSubkey(masterKey, 'stableIds');
  const sign = (payload: string): string => createHmac('sha256', signingKey).update(payload, 'utf8').digest('base64url');

  return {
    randomToken: (bytes) => randomBytes(bytes).toString('base64url'),
    randomHex: (bytes) => randomBytes(bytes).toString('hex'),
    stableHex(label, bytes) {
      if (!Number.isInteger(bytes) || bytes < 1 || bytes > 32) throw new Error('stableHex gives 1 to 32 bytes');
      return createHmac('sha256', stableIdKey).update(label, 'utf8').digest().subarray(0, bytes).toString('hex');
    },
    hashSecret: (secret) => createHash('sha256').update(secret, 'utf8').digest('hex'),
    verifySecret(secret, storedHash) {
      const actual = createHash('sha256').update(secret, 'utf8').digest();
      return constantTimeEqual(actual, Buffer.from(storedHash, 'hex'), storedHash.length === 64);
    },
    sign,
    verifySignature(payload, signature) {
      const expected = createHmac('sha256', signingKey).update(payload, 'utf8').digest();
      // Buffer.from(base64url) skips bad characters, so require the canonical encoding too.
      const given = Buffer.from(signature, 'base64url');
      return constantTimeEqual(expected, given, given.toString('base64url') === signature);
    },
    seal: (plaintext) => sealBytes(sealingKey, Buffer.from(plaintext, 'utf8'), SEAL_AAD).toString('base64url'),
    open(sealed) {
      const plain = openBytes(sealingKey, Buffer.from(sealed, 'base64url'), SEAL_AAD);
      if (plain === null) throw appError('INTERNAL', { reason: REASON_SEALED_INVALID });
      return plain.toString('utf8');
    },
  };
}

/** timingSafeEqual throws on a length mismatch; lengths of digests are public, so check them first. */
function constantTimeEqual(expected: Buffer, given: Buffer, wellFormed: boolean): boolean {
  return wellFormed && given.length === expected.length && timingSafeEqual(expected, given);
}
