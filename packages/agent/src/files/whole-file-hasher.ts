import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** md5, sha1 and sha256 of a whole file, hex. */
export interface WholeFileDigests {
  md5: string;
  sha1: string;
  sha256: string;
}

/** Takes a file's bytes in order and produces its three whole-file digests. */
export interface WholeFileHasher {
  /** Hashes `data`; the returned promise settles once `data`'s buffer may be reused. */
  update(data: Buffer): Promise<void>;
  digest(): Promise<WholeFileDigests>;
  close(): Promise<void>;
}

/** Buffer for the upload pass: shared memory when the hasher runs off-thread, so nothing is copied. */
export function allocHashBuffer(bytes: number, offThread: boolean): Buffer {
  return offThread ? Buffer.from(new SharedArrayBuffer(bytes)) : Buffer.allocUnsafe(bytes);
}

/**
 * A hasher on this thread (small files: no worker start-up) or on a worker thread. md5+sha1+sha256
 * is the agent's most expensive work (~3 CPU-s per GiB, md5 alone ~1.7); on a worker it runs
 * beside the reads, the per-chunk sha256 and the socket writes instead of blocking them.
 * `offThread` buffers must come from {@link allocHashBuffer}.
 */
export function createWholeFileHasher(offThread: boolean): WholeFileHasher {
  return offThread ? new WorkerHasher() : new InlineHasher();
}

class InlineHasher implements WholeFileHasher {
  private readonly hashes = [createHash('md5'), createHash('sha1'), createHash('sha256')] as const;

  async update(data: Buffer): Promise<void> {
    for (const hash of this.hashes) hash.update(data);
  }

  async digest(): Promise<WholeFileDigests> {
    const [md5, sha1, sha256] = this.hashes.map((hash) => hash.digest('hex'));
    return { md5: md5!, sha1: sha1!, sha256: sha256! };
  }

  async close(): Promise<void> {}
}

type Waiter = { resolve: (value: unknown) => void; reject: (err: Error) => void };

/** The worker answers each message in order, so one FIFO of waiters matches answers to requests. */
class WorkerHasher implements WholeFileHasher {
  private readonly worker = new Worker(new URL('./whole-file-hash-worker.mjs', import.meta.url));
  private readonly waiters: Waiter[] = [];
  private failure: Error | null = null;

  constructor() {
    this.worker.on('message', (message: { type: string }) => this.waiters.shift()?.resolve(message));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', () => this.fail(new Error('hash worker exited')));
  }

  async update(data: Buffer): Promise<void> {
    if (!(data.buffer instanceof SharedArrayBuffer)) throw new Error('off-thread hashing needs a shared buffer');
    await this.request({ type: 'update', buffer: data.buffer, offset: data.byteOffset, length: data.length });
  }

  async digest(): Promise<WholeFileDigests> {
    const { md5, sha1, sha256 } = (await this.request({ type: 'digest' })) as WholeFileDigests;
    return { md5, sha1, sha256 };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private request(message: object): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.worker.postMessage(message);
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }
}
