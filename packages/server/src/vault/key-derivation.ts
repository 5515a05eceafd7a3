import { hkdfSync } from 'node:crypto';

/**
 * One subkey per purpose, so a flaw or leak in one use (say, link signatures shown to users)
 * tells nothing about another (data-key wrapping). The `info` strings are part of the on-disk
 * format: changing one makes existing links, sealed passwords or wrapped keys unreadable.
 */
export const SUBKEY_INFO = {
  linkSigning: 'quarry/v1/link-signing',
  sealing: 'quarry/v1/sealing',
  keyWrapping: 'quarry/v1/key-wrapping',
  stableIds: 'quarry/v1/stable-ids',
} as const;

export type SubkeyPurpose = keyof typeof SUBKEY_INFO;

/** The master key must be exactly this long (AES-256 / HKDF-SHA256 input). */
export const MASTER_KEY_BYTES = 32;

/** HKDF-SHA256 of the master key for one purpose: 32 bytes. */
export function deriveSubkey(masterKey: Buffer, purpose: SubkeyPurpose): Buffer {
  if (masterKey.length !== MASTER_KEY_BYTES) {
    throw new Error(`master key must be ${MASTER_KEY_BYTES} bytes, got ${masterKey.length}`);
  }
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), SUBKEY_INFO[purpose], 32));
}
