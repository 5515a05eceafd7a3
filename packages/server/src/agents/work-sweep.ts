import type { Logger } from '@quarry/core';

/** Default period of the sweep; each run is jittered by ±JITTER so nodes do not sweep in step. */
export const WORK_SWEEP_INTERVAL_MS = 5_000;
const JITTER = 0.25;

/** A periodic check for work that no notification announced. */
export interface WorkSweep {
  start(): void;
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
  /** Runs one sweep now (also used after the event relay reconnects). */
  runNow(): Promise<void>;
}

export interface WorkSweepOptions {
  intervalMs?: number | undefined;
  /** Endpoints with a live channel on this node. */
  connected: () => string[];
  /** Which of them have due queued work (one cheap query per batch, no locks). */
  withWork: (endpointIds: readonly string[]) => Promise<string[]>;
  /** Claims and delivers an endpoint's work (serialised per endpoint by the hub). */
  claim: (endpointId: string) => void;
  logger: Logger;
}

/**
 * The safety net under event-driven dispatch: a work-available event can be lost (another node's
 * NOTIFY during a LISTEN reconnect, a crash between commit and publish), so every few seconds the
 * node asks which of its connected endpoints have due queued work and claims it for them. A lost
 * notification thus delays work by seconds, never forever. Cost while idle: one indexed query per
 * 500 connected endpoints per run, and no claim transactions.
 */
export function createWorkSweep(options: WorkSweepOptions): WorkSweep {
  const intervalMs = options.intervalMs ?? WORK_SWEEP_INTERVAL_MS;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;

  async function sweepOnce(): Promise<void> {
    const ids = options.connected();
    if (ids.length === 0) return;
    try {
      const due = await options.withWork(ids);
      for (const id of due) options.claim(id);
      if (due.length > 0) options.logger.debug({ endpoints: due.length }, 'work sweep found queued work');
    } catch (err) {
      options.logger.warn({ err }, 'work sweep failed');
    }
  }

  const runNow = (): Promise<void> => {
    running ??= sweepOnce().finally(() => {
      running = null;
    });
    return running;
  };

  const schedule = (): void => {
    if (stopped) return;
    const delay = Math.round(intervalMs * (1 - JITTER + Math.random() * 2 * JITTER));
    timer = setTimeout(() => {
      timer = null;
      void runNow().finally(schedule);
    }, delay);
    timer.unref();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
    runNow,
  };
}
