// Real files for e2e tests: random content generated fast, hashed by streaming.
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const MiB = 1024 * 1024;

/** Writes `bytes` random-looking bytes (AES-CTR keystream, so generation is not the bottleneck). */
export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  const zero = Buffer.alloc(MiB);
  let left = bytes;
  const source = Readable.from(
    (function* () {
      while (left > 0) {
        const n = Math.min(left, MiB);
        left -= n;
        yield cipher.update(zero.subarray(0, n));
      }
    })(),
  );
  await pipeline(source, createWriteStream(path, { highWaterMark: 4 * MiB }));
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path, { highWaterMark: MiB })) h.update(c as Buffer);
  return h.digest('hex');
}

export async function sha256Url(url: string, init?: RequestInit): Promise<{ status: number; sha256: string; bytes: number }> {
  const r = await fetch(url, init);
  const h = createHash('sha256');
  let bytes = 0;
  if (r.body) {
    for await (const c of Readable.fromWeb(r.body as never)) {
      h.update(c as Buffer);
      bytes += (c as Buffer).length;
    }
  }
  return { status: r.status, sha256: h.digest('hex'), bytes };
}

export async function downloadTo(url: string, path: string): Promise<number> {
  const r = await fetch(url);
  if (!r.ok || !r.body) throw new Error(`download ${r.status}: ${await r.text()}`);
  await pipeline(Readable.fromWeb(r.body as never), createWriteStream(path));
  return r.status;
}
