import { randomBytes } from 'node:crypto';
import { appError } from '@quarry/core';
import { openBytes, sealBytes } from './aead.js';

const WRAP_VERSION = 1;
const WRAP_AAD = Buffer.from(`quarry/v${WRAP_VERSION}/data-key`);
const DATA_KEY_BYTES = 32;
const REASON_WRAPPED_INVALID = 'wrapped data key is corrupt or was wrapped under another master key';

/** A per-upload data key and the segment size its chunks were written with. */
export interface DataKey {
  key: Buffer;
  segmentSize: number;
}

/**
 * Wraps a data key with the key-wrap subkey. The segment size travels inside the wrapped value
 * (authenticated), so content stays readable if the configured segment size changes later and
 * the ContentRef needs no vault-specific field.
 */
export function wrapDataKey(wrappingKey: Buffer, segmentSize: number): string {
  const plain = Buffer.alloc(DATA_KEY_BYTES + 4);
  randomBytes(DATA_KEY_BYTES).copy(plain);
  plain.writeUInt32BE(segmentSize, DATA_KEY_BYTES);
  const sealed = sealBytes(wrappingKey, plain, WRAP_AAD);
  return Buffer.concat([Buffer.from([WRAP_VERSION]), sealed]).toString('base64url');
}

/** Throws `INTERNAL` when the wrapped key is unreadable: nothing of that upload can be decrypted. */
export function unwrapDataKey(wrappingKey: Buffer, wrappedKey: string): DataKey {
  const raw = Buffer.from(wrappedKey, 'base64url');
  const plain = raw[0] === WRAP_VERSION ? openBytes(wrappingKey, raw.subarray(1), WRAP_AAD) : null;
  if (plain === null || plain.length !== DATA_KEY_BYTES + 4) {
    throw appError('INTERNAL', { reason: REASON_WRAPPED_INVALID });
  }
  const segmentSize = plain.readUInt32BE(DATA_KEY_BYTES);
  if (segmentSize === 0) throw appError('INTERNAL', { reason: REASON_WRAPPED_INVALID });
  return { key: plain.subarray(0, DATA_KEY_BYTES), segmentSize };
}
