import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DomainEvent } from '@quarry/core';
import { MAX_NOTIFY_PAYLOAD_BYTES, packNotifications, parseNotification } from './notify-payload.js';

const id = (i: number): string => i.toString(16).padStart(32, '0');

describe('packNotifications', () => {
  it('merges work-available lists, de-duplicated, into payloads under the NOTIFY limit', () => {
    const events: DomainEvent[] = [
      { type: 'work-available', endpointIds: Array.from({ length: 600 }, (_, i) => id(i)) },
      { type: 'cancel', endpointId: id(1), subtaskId: 7, attempt: 2 },
      { type: 'work-available', endpointIds: [id(5), id(600)] },
    ];

    const { payloads, dropped } = packNotifications('node-1', events);

    assert.equal(dropped, 0);
    assert.ok(payloads.length >= 3, `600 ids need several payloads, got ${payloads.length}`);
    for (const p of payloads) assert.ok(Buffer.byteLength(p) <= MAX_NOTIFY_PAYLOAD_BYTES, `${Buffer.byteLength(p)} bytes`);
    const decoded = payloads.map((p) => parseNotification(p)!);
    assert.ok(decoded.every((d) => d.nodeId === 'node-1'));
    const all = decoded.flatMap((d) => d.events);
    const ids = all.flatMap((e) => (e.type === 'work-available' ? e.endpointIds : []));
    assert.equal(ids.length, 601);
    assert.deepEqual(new Set(ids), new Set(Array.from({ length: 601 }, (_, i) => id(i))));
    assert.deepEqual(all.filter((e) => e.type === 'cancel'), [events[1]]);
  });

  it('packs many small events into one payload and drops one that can never fit', () => {
    const progress = Array.from({ length: 20 }, (_, i): DomainEvent => ({
      type: 'progress', taskId: 1, subtaskId: i, endpointId: id(i), state: 'uploading', bytesDone: i, bytesTotal: 100, failureCode: null,
    }));
    const huge = { type: 'cancel', endpointId: 'x'.repeat(MAX_NOTIFY_PAYLOAD_BYTES), subtaskId: 1, attempt: 1 } as DomainEvent;

    const { payloads, dropped } = packNotifications('n', [...progress, huge]);

    assert.equal(dropped, 1);
    assert.equal(payloads.length, 1);
    assert.deepEqual(parseNotification(payloads[0]!)!.events, progress);
  });

  it('sends nothing for nothing', () => {
    assert.deepEqual(packNotifications('n', []), { payloads: [], dropped: 0 });
  });
});

describe('parseNotification', () => {
  it('ignores what is not ours', () => {
    assert.equal(parseNotification('not json'), null);
    assert.equal(parseNotification('{"x":1}'), null);
    assert.deepEqual(parseNotification('{"n":"a","e":[{"type":"bogus"},{"type":"cancel","endpointId":"e","subtaskId":1,"attempt":1}]}')!.events, [
      { type: 'cancel', endpointId: 'e', subtaskId: 1, attempt: 1 },
    ]);
  });
});
