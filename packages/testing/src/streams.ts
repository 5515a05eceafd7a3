import { Readable } from 'node:stream';

/** Reads a stream into one buffer. Test sizes only: production code must stream. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array));
  return Buffer.concat(parts);
}

/**
 * A Readable over `data` in uneven pieces (so adapters see chunk boundaries in odd places).
 * With `failAfter`, it errors once that many bytes have been emitted.
 */
export function chunked(data: Buffer, options: { pieceSize?: number; failAfter?: number } = {}): Readable {
  const pieceSize = options.pieceSize ?? 100_003;
  let offset = 0;
  return new Readable({
    read() {
      if (options.failAfter !== undefined && offset >= options.failAfter) {
        this.destroy(new Error('source failed on purpose'));
        return;
      }
      if (offset >= data.length) {
        this.push(null);
        return;
      }
      const limit = options.failAfter !== undefined ? Math.min(data.length, options.failAfter) : data.length;
      const next = Math.min(limit, offset + pieceSize);
      this.push(data.subarray(offset, Math.max(next, offset + 1)));
      offset = Math.max(next, offset + 1);
    },
  });
}
