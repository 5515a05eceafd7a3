import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, RECONNECT_BACKOFF, sleep } from './backoff.js';

describe('Backoff (full jitter)', () => {
  it('keeps every delay within [0, min(cap, base * 2^n)]', () => {
    for (const r of [0, 0.5, 0.999999]) {
      const b = new Backoff({ ...RECONNECT_BACKOFF, random: () => r });
      for (let n = 0; n < 40; n += 1) {
        const ceiling = Math.min(30_000, 500 * 2 ** n);
        const d = b.next();
        assert.ok(d >= 0 && d <= ceiling, `attempt ${n}: ${d} not in [0, ${ceiling}]`);
        assert.equal(d, Math.floor(r * ceiling));
      }
    }
  });

  it('reaches the 30 s cap and never exceeds it with real randomness', () => {
    const b = new Backoff(RECONNECT_BACKOFF);
    const delays = Array.from({ length: 200 }, () => b.next());

    assert.ok(delays.every((d) => d >= 0 && d < 30_000));
    assert.equal(b.ceilingMs(), 30_000);
  });

  it('starts again from the base after reset', () => {
    const b = new Backoff({ ...RECONNECT_BACKOFF, random: () => 0.999 });
    for (let i = 0; i < 10; i += 1) b.next();

    b.reset();

    assert.equal(b.ceilingMs(), 500);
    assert.ok(b.next() < 500);
  });

  it('jumps to the cap for a rejected credential', () => {
    const b = new Backoff(RECONNECT_BACKOFF);

    assert.equal(b.toCap(), 30_000);
    assert.equal(b.ceilingMs(), 30_000);
  });
});

describe('sleep', () => {
  it('rejects promptly when aborted', async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = sleep(60_000, ac.signal);

    ac.abort(new Error('stop'));

    await assert.rejects(p, /stop/);
    assert.ok(Date.now() - started < 1000);
  });
});
