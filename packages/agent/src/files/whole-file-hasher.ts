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
export function createWholeFileHasher(offThread: boolean, knownSha256?: string): WholeFileHasher {
  return offThread ? new WorkerHasher(knownSha256) : new InlineHasher(knownSha256);
}

/** The digests to compute: sha256 too unless it is already known (see UploadPassOptions.known). */
const algorithmsFor = (knownSha256: string | undefined): string[] => (knownSha256 ? ['md5', 'sha1'] : ['md5', 'sha1', 'sha256']);

class InlineHasher implements WholeFileHasher {
  private readonly hashes;

  constructor(private readonly knownSha256?: string) {
    this.hashes = algorithmsFor(knownSha256).map((a) => [a, createHash(a)] as const);
  }

  async update(data: Buffer): Promise<void> {
    for (const [, hash] of this.hashes) hash.update(data);
  }

  async digest(): Promise<WholeFileDigests> {
    const out = Object.fromEntries(this.hashes.map(([a, hash]) => [a, hash.digest('hex')]));
    return { md5: out.md5!, sha1: out.sha1!, sha256: this.knownSha256 ?? out.sha256! };
  }

  async close(): Promise<void> {}
}

type Waiter = { resolve: (value: unknown) => void; reject: (err: Error) => void };

class WorkerHasher implements WholeFileHasher {
  private readonly digester;

  constructor(private readonly knownSha256?: string) {
    this.digester = new WorkerDigester(algorithmsFor(knownSha256));
  }

  update(data: Buffer): Promise<void> {
    return this.digester.update(data);
  }

  async digest(): Promise<WholeFileDigests> {
    const { md5, sha1, sha256 } = await this.digester.digest();
    return { md5: md5!, sha1: sha1!, sha256: this.knownSha256 ?? sha256! };
  }

  close(): Promise<void> {
    return this.digester.close();
  }
}

/**
 * Hashes on a worker thread. `digest` answers every algorithm and starts afresh, so a run of
 * consecutive pieces (chunks) can be hashed one after another. The worker answers each message in
 * order, so one FIFO of waiters matches answers to requests. Buffers must be shared memory.
 */
export class WorkerDigester {
  private readonly worker: Worker;
  private readonly waiters: Waiter[] = [];
  private failure: Error | null = null;

  constructor(algorithms: readonly string[]) {
    this.worker = new Worker(new URL('./whole-file-hash-worker.mjs', import.meta.url), { workerData: { algorithms: [...algorithms] } });
    this.worker.on('message', (message: { type: string }) => this.waiters.shift()?.resolve(message));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', () => this.fail(new Error('hash worker exited')));
  }

  /** Hashes `data`; settles once its buffer may be reused. */
  async update(data: Buffer): Promise<void> {
    if (!(data.buffer instanceof SharedArrayBuffer)) throw new Error('off-thread hashing needs a shared buffer');
    await this.request({ type: 'update', buffer: data.buffer, offset: data.byteOffset, length: data.length });
  }

  /** Hex digests of everything since the previous digest, by algorithm name. */
  async digest(): Promise<Record<string, string>> {
    const { type: _type, ...digests } = (await this.request({ type: 'digest' })) as Record<string, string>;
    return digests;
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
