import type { EngineService, Logger } from '@quarry/core';

/** Runs the engine's time-driven transitions on an interval. */
export interface EngineTicker {
  start(): void;
  /** Stops scheduling and waits for a tick in progress. */
  stop(): Promise<void>;
}

/**
 * Calls `engine.tick()` every `intervalMs`. The next tick is scheduled only after the previous one
 * settled, so ticks never overlap however slow the database is; a failing tick is logged and the
 * loop goes on.
 */
export function createEngineTicker(engine: EngineService, options: { intervalMs: number; logger: Logger }): EngineTicker {
  const { intervalMs, logger } = options;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;

  const runOnce = async (): Promise<void> => {
    try {
      const result = await engine.tick();
      if (result.expired + result.timedOut + result.retried + result.released + result.uploadsDiscarded > 0) logger.info({ ...result }, 'engine tick');
    } catch (err) {
      logger.error({ err }, 'engine tick failed');
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      running = runOnce().finally(() => {
        running = null;
        schedule();
      });
    }, intervalMs);
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
  };
}
