import { createCipheriv, createHash, randomBytes, type CipherGCM, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { appError } from '@quarry/core';
import { noteBufferChurn } from '../memory/buffer-churn.js';
import { GCM_NONCE_BYTES } from './aead.js';
import { segmentAad, segmentCount, segmentPlainLength } from './chunk-layout.js';
import type { DataKey } from './data-key.js';

/** What the sealer checks and where the segments belong. */
export interface SealerInput {
  uploadId: string;
  index: number;
  dataKey: DataKey;
  expectedSize: number;
  expectedSha256: string;
  /** Also fed the plaintext (the upload-wide running hash), if given. */
  observer?: Hash | undefined;
}

/**
 * Plaintext in, encrypted segments out, verifying size and sha256 on the way. It fails (instead
 * of ending) on a mismatch, and the last segment's tag is only pushed after both checks pass: a
 * BlobStore drops the object of a failed source, and even a store that did not could never
 * authenticate the truncated chunk.
 */
export class ChunkSealer extends Transform {
  private readonly input: SealerInput;
  private readonly segments: number;
  private readonly hash = createHash('sha256');
  private received = 0;
  private segment = 0;
  private segmentFill = 0;
  private cipher: CipherGCM | null = null;

  constructor(input: SealerInput) {
    super();
    this.input = input;
    this.segments = segmentCount(input.expectedSize, input.dataKey.segmentSize);
  }

  override _transform(piece: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const { expectedSize, observer, dataKey } = this.input;
    if (this.received + piece.length > expectedSize) {
      callback(appError('CHUNK_SIZE_MISMATCH', { expected: expectedSize, actual: this.received + piece.length }));
      return;
    }
    this.received += piece.length;
    // The piece (a socket read) and the ciphertext made of it are new buffers.
    noteBufferChurn(2 * piece.length);
    this.hash.update(piece);
    observer?.update(piece);
    let offset = 0;
    while (offset < piece.length) {
      const cipher = this.cipher ?? this.startSegment();
      const segmentLength = segmentPlainLength(expectedSize, dataKey.segmentSize, this.segment);
      const take = Math.min(piece.length - offset, segmentLength - this.segmentFill);
      this.push(cipher.update(piece.subarray(offset, offset + take)));
      this.segmentFill += take;
      offset += take;
      if (this.segmentFill === segmentLength && this.segment < this.segments - 1) this.finishSegment(cipher);
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.received !== this.input.expectedSize) {
      callback(appError('CHUNK_SIZE_MISMATCH', { expected: this.input.expectedSize, actual: this.received }));
      return;
    }
    if (this.hash.digest('hex') !== this.input.expectedSha256.toLowerCase()) {
      callback(appError('CHUNK_HASH_MISMATCH', { index: this.input.index }));
      return;
    }
    this.finishSegment(this.cipher ?? this.startSegment());
    callback();
  }

  private startSegment(): CipherGCM {
    const nonce = randomBytes(GCM_NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.input.dataKey.key, nonce);
    cipher.setAAD(segmentAad(this.input.uploadId, this.input.index, this.segment, this.segment === this.segments - 1));
    this.push(nonce);
    this.cipher = cipher;
    return cipher;
  }

  private finishSegment(cipher: CipherGCM): void {
    const tail = cipher.final();
    if (tail.length > 0) this.push(tail);
    this.push(cipher.getAuthTag());
    this.cipher = null;
    this.segment += 1;
    this.segmentFill = 0;
  }
}
