import type { ServerMessage } from '@quarry/protocol';

/** Messages waiting for one long-polling agent, and the poll (if any) waiting for them. */
export class PollOutbox {
  lastPollAt: number;
  readonly #messages: ServerMessage[] = [];
  #wake: (() => void) | null = null;

  constructor(now: number) {
    this.lastPollAt = now;
  }

  get waiting(): boolean {
    return this.#wake !== null;
  }

  push(message: ServerMessage): void {
    this.#messages.push(message);
    this.wake();
  }

  /** Takes every queued message. */
  drain(): ServerMessage[] {
    return this.#messages.splice(0);
  }

  get size(): number {
    return this.#messages.length;
  }

  /** Ends the current wait (new messages, a newer poll, or shutdown). */
  wake(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Resolves when a message arrives, after `ms`, or when `signal` aborts; a newer wait ends this one. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.wake();
    if (this.#messages.length > 0 || ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        if (this.#wake === done) this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }
}
