import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EngineService, Logger } from '@quarry/core';
import { createEngineTicker } from '../src/workers/engine-ticker.js';
import { createHarness, type Harness } from './http/harness.js';

async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Collects error lines; satisfies the Logger port. */
function recordingLogger(errors: string[]): Logger {
  const l: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (_o, msg) => errors.push(msg ?? ''), child: () => l };
  return l;
}

describe('engine ticker', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  it('ticks the real engine repeatedly without overlap, survives failures, and stop waits for the tick in flight', async () => {
    let calls = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const engine: EngineService = {
      tick: async () => {
        calls++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await h.services.engine.tick();
        } finally {
          inFlight--;
        }
      },
    };
    const errors: string[] = [];
    const ticker = createEngineTicker(engine, { intervalMs: 50, logger: recordingLogger(errors) });

    ticker.start();
    await until(() => calls >= 3, 'three ticks');
    await h.store.close();
    await until(() => errors.length >= 2, 'two failed ticks logged');
    await ticker.stop();

    assert.equal(maxInFlight, 1);
    assert.equal(inFlight, 0);
    assert.ok(errors.every((e) => e === 'engine tick failed'));
  });
});
