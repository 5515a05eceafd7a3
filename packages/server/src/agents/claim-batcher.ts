import type { Logger } from '@quarry/core';
import type { WorkMessage } from '@quarry/protocol';

/** Endpoints per batch claim (the service's limit). */
export const CLAIM_BATCH_ENDPOINTS = 500;
/** Batch claims in flight at once per node: enough to use the pool, not to hog it. */
const CONCURRENT_BATCHES = 4;

export interface ClaimBatcherOptions {
  /** One transaction claiming for up to CLAIM_BATCH_ENDPOINTS endpoints. */
  claimBatch: (endpointIds: readonly string[]) => Promise<Map<string, WorkMessage[]>>;
  /** Sends an endpoint its claimed work (if it is still connected here). */
  deliver: (endpointId: string, messages: WorkMessage[]) => void;
  /** Claims one endpoint the usual way (fallback when a batch fails). */
  claimOne: (endpointId: string) => void;
  logger: Logger;
}

/** Collects endpoints with new work and claims for them in batches. */
export interface ClaimBatcher {
  enqueue(endpointId: string): void;
  /** Waits for batches in flight; later enqueues are ignored. */
  close(): Promise<void>;
}

/**
 * A work-available event for a task of 10,000 endpoints would otherwise start 10,000 claim
 * transactions, each re-deriving the same task's status under its row lock, one after another.
 * Endpoints announced in the same turn are grouped and claimed CLAIM_BATCH_ENDPOINTS at a time.
 */
export function createClaimBatcher(options: ClaimBatcherOptions): ClaimBatcher {
  const pending = new Set<string>();
  const running = new Set<Promise<void>>();
  let scheduled = false;
  let closed = false;

  async function runBatch(ids: string[]): Promise<void> {
    try {
      const work = await options.claimBatch(ids);
      for (const [endpointId, messages] of work) options.deliver(endpointId, messages);
    } catch (err) {
      options.logger.warn({ err, endpoints: ids.length }, 'batch claim failed; claiming one by one');
      for (const id of ids) options.claimOne(id);
    }
  }

  function pump(): void {
    scheduled = false;
    while (!closed && pending.size > 0 && running.size < CONCURRENT_BATCHES) {
      const ids = [...pending].slice(0, CLAIM_BATCH_ENDPOINTS);
      options.logger.debug({ endpoints: ids.length, waiting: pending.size - ids.length }, 'batch claim starting');
      for (const id of ids) pending.delete(id);
      const job = runBatch(ids).finally(() => {
        running.delete(job);
        pump();
      });
      running.add(job);
    }
  }

  return {
    enqueue(endpointId) {
      if (closed) return;
      pending.add(endpointId);
      if (!scheduled) {
        scheduled = true;
        setImmediate(pump);
      }
    },
    async close() {
      closed = true;
      pending.clear();
      await Promise.allSettled([...running]);
    },
  };
}
