import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SweepResultRow } from '@quarry/protocol';
import { ResultBatcher, type SweepBatch } from './result-batcher.js';

const ZERO = { filesListed: 0, filesMatched: 0, bytesHashed: 0, skippedUnreadable: 0, skippedLoops: 0, skippedDenied: 0, rootsMissing: 0, durationMs: 0 };
const row = (i: number): SweepResultRow => ({ path: `/f${i}`, size: i, mtimeMs: null, owner: null, md5: '0'.repeat(32), sha1: '0'.repeat(40), sha256: '0'.repeat(64) });

describe('ResultBatcher', () => {
  it('numbers batches in order, caps their size, and ends with the final report', async () => {
    const sent: SweepBatch[] = [];
    const b = new ResultBatcher(async (batch) => void sent.push(structuredClone(batch)), () => ZERO, { maxResults: 3, intervalMs: 60_000, heartbeatMs: 60_000 });
    for (let i = 0; i < 7; i++) await b.add(row(i));
    await b.finish({ done: { ...ZERO, truncated: false, budgetHit: null } });
    assert.deepEqual(sent.map((s) => s.seq), [0, 1, 2]);
    assert.deepEqual(sent.map((s) => s.results.length), [3, 3, 1]);
    assert.ok(sent[0]!.progress && !sent[0]!.done);
    assert.ok(sent[2]!.done);
  });

  it('makes the walk wait while too many batches are queued, and rethrows a failed send', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const b = new ResultBatcher(() => gate.then(() => Promise.reject(new Error('server gone'))), () => ZERO, { maxResults: 1, maxQueued: 2, intervalMs: 60_000, heartbeatMs: 60_000 });
    assert.equal(b.add(row(1)), undefined);
    assert.equal(b.add(row(2)), undefined);
    const waiting = b.add(row(3));
    assert.ok(waiting instanceof Promise);
    release();
    await assert.rejects(waiting as Promise<void>, /server gone/);
    await assert.rejects(b.finish({ done: { ...ZERO, truncated: false, budgetHit: null } }), /server gone/);
  });
});
