import { Transform, type TransformCallback } from 'node:stream';
import { appError } from '@quarry/core';

const REASON_SIZE_MISMATCH = 'blob size differs from the declared size';

/**
 * Pass-through that counts bytes and, given a declared size, fails the stream as soon as the body
 * is longer or, at its end, shorter. Failing inside the stream (rather than checking afterwards)
 * matters for S3: the upload then never sends its last part, so no wrong-sized object appears.
 */
export class ByteCounter extends Transform {
  bytes = 0;
  private readonly expected: number | undefined;

  constructor(expected?: number) {
    super();
    this.expected = expected;
  }

  override _transform(chunk: Buffer | string, encoding: BufferEncoding, callback: TransformCallback): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    this.bytes += buf.length;
    if (this.expected !== undefined && this.bytes > this.expected) {
      callback(this.mismatch());
      return;
    }
    callback(null, buf);
  }

  override _flush(callback: TransformCallback): void {
    callback(this.expected !== undefined && this.bytes !== this.expected ? this.mismatch() : null);
  }

  private mismatch(): Error {
    return appError('VALIDATION_FAILED', { reason: REASON_SIZE_MISMATCH, expected: this.expected, actual: this.bytes });
  }
}
