import { MAX_SWEEP_BATCH, type SweepCounters, type SweepResultRow, type SweepResultsBody } from '@quarry/protocol';

/** A batch as the batcher hands it to the sender (the attempt is added by the caller). */
export type SweepBatch = Omit<SweepResultsBody, 'attempt'>;

export interface BatcherOptions {
  /** Results per batch. */
  maxResults: number;
  /** Approximate JSON bytes per batch, under the server's body limit (1 MiB by default). */
  maxBytes: number;
  /** A non-empty batch leaves at least this often. */
  intervalMs: number;
  /** With nothing found, an empty batch (progress only) leaves this often, to keep the subtask alive. */
  heartbeatMs: number;
  /** Batches waiting to be sent before `add` makes the walk wait. */
  maxQueued: number;
}

/**
 * Batches as large as the protocol allows (MAX_SWEEP_BATCH): the server stores each batch in one
 * transaction, and a commit writes every index page the batch touched, which for random keys
 * (hashes, names) is nearly every leaf page whatever the batch size, so twice the rows per batch
 * is close to half the writes per row. 960 KiB stays under the server's default 1 MiB body limit.
 * 32 queued batches hold at most 30 MiB (about 20 MiB of typical rows). That depth lets the walk run
 * at disk speed while the server stores results more slowly (index upkeep), instead of the two
 * taking turns; beyond it the walk waits.
 */
export const DEFAULT_BATCHER_OPTIONS: BatcherOptions = { maxResults: MAX_SWEEP_BATCH, maxBytes: 960 * 1024, intervalMs: 1000, heartbeatMs: 15_000, maxQueued: 32 };

/** Rough JSON size of one row: the hashes and field names are fixed, the path varies. */
const ROW_OVERHEAD = 260;

/**
 * Streams sweep results to the server in numbered batches, one request at a time, in order: every
 * `maxResults` results, `maxBytes`, or `intervalMs`, whichever comes first. The last batch carries
 * `done` or `failure`. A send that fails for good is kept and rethrown to the walk (through `add`)
 * and to `finish`.
 */
export class ResultBatcher {
  readonly #send: (batch: SweepBatch) => Promise<void>;
  readonly #progress: () => SweepCounters;
  readonly #o: BatcherOptions;
  readonly #queue: SweepBatch[] = [];
  readonly #drainWaiters: Array<() => void> = [];
  #rows: SweepResultRow[] = [];
  #bytes = 0;
  #seq = 0;
  #sending: Promise<void> | null = null;
  #lastQueuedAt = Date.now();
  #error: unknown = null;
  #timer: NodeJS.Timeout;

  constructor(send: (batch: SweepBatch) => Promise<void>, progress: () => SweepCounters, options: Partial<BatcherOptions> = {}) {
    this.#send = send;
    this.#progress = progress;
    this.#o = { ...DEFAULT_BATCHER_OPTIONS, ...options };
    this.#timer = setInterval(() => this.#tick(), Math.min(this.#o.intervalMs, this.#o.heartbeatMs));
    this.#timer.unref();
  }

  /** Batches sent so far (the next one's sequence number). */
  get sent(): number {
    return this.#seq;
  }

  /** Adds a result; resolves at once unless too many batches wait to be sent. */
  add(row: SweepResultRow): void | Promise<void> {
    if (this.#error) throw this.#error;
    this.#rows.push(row);
    this.#bytes += ROW_OVERHEAD + row.path.length * 2;
    if (this.#rows.length >= this.#o.maxResults || this.#bytes >= this.#o.maxBytes) this.#enqueue({});
    if (this.#queue.length > this.#o.maxQueued) return this.#waitBelow(this.#o.maxQueued);
    return undefined;
  }

  /** Sends what is left with the final report and waits until every batch is stored. */
  async finish(last: Pick<SweepBatch, 'done' | 'failure'>): Promise<void> {
    clearInterval(this.#timer);
    if (this.#error) throw this.#error;
    this.#enqueue(last);
    await this.#waitBelow(0);
    if (this.#error) throw this.#error;
  }

  /** Stops the timer and drops what was not sent (cancellation). */
  close(): void {
    clearInterval(this.#timer);
    this.#queue.splice(0);
    for (const w of this.#drainWaiters.splice(0)) w();
  }

  #tick(): void {
    if (this.#error) return;
    const idle = Date.now() - this.#lastQueuedAt;
    if ((this.#rows.length > 0 && idle >= this.#o.intervalMs) || idle >= this.#o.heartbeatMs) this.#enqueue({});
  }

  #enqueue(extra: Pick<SweepBatch, 'done' | 'failure'>): void {
    const rows = this.#rows;
    this.#rows = [];
    this.#bytes = 0;
    this.#lastQueuedAt = Date.now();
    const batch: SweepBatch = { seq: 0, results: rows, ...(extra.done || extra.failure ? extra : { progress: this.#progress() }) };
    this.#queue.push(batch);
    this.#pump();
  }

  #pump(): void {
    if (this.#sending || this.#error) return;
    const batch = this.#queue[0];
    if (!batch) {
      for (const w of this.#drainWaiters.splice(0)) w();
      return;
    }
    batch.seq = this.#seq;
    this.#sending = this.#send(batch).then(
      () => {
        this.#seq++;
        this.#queue.shift();
        this.#sending = null;
        for (const w of this.#drainWaiters.splice(0)) w();
        this.#pump();
      },
      (err: unknown) => {
        this.#error = err;
        this.#sending = null;
        for (const w of this.#drainWaiters.splice(0)) w();
      },
    );
  }

  async #waitBelow(n: number): Promise<void> {
    while (this.#queue.length > n && !this.#error) await new Promise<void>((r) => this.#drainWaiters.push(r));
    if (this.#error) throw this.#error;
  }
}
