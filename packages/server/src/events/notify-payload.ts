import type { DomainEvent } from '@quarry/core';

/**
 * PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay clearly below. The envelope is
 * `{"n":"<node id>","e":[<event>,…]}`.
 */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7900;

/** One relayed notification, decoded. */
export interface RelayedEvents {
  nodeId: string;
  events: DomainEvent[];
}

const EVENT_TYPES: ReadonlySet<string> = new Set(['work-available', 'cancel', 'progress', 'task']);

/**
 * Packs events into as few payloads as fit. All work-available events are merged into one
 * de-duplicated endpoint list (a burst of task creations becomes one list), and split over several
 * payloads when it does not fit in one. An event too large for any payload is dropped and
 * counted: receivers poll anyway.
 */
export function packNotifications(nodeId: string, events: readonly DomainEvent[]): { payloads: string[]; dropped: number } {
  const head = `{"n":${JSON.stringify(nodeId)},"e":[`;
  const tail = ']}';
  const room = MAX_NOTIFY_PAYLOAD_BYTES - Buffer.byteLength(head) - Buffer.byteLength(tail);
  const parts: string[] = [];
  let dropped = 0;

  const workIds = new Set<string>();
  for (const e of events) if (e.type === 'work-available') for (const id of e.endpointIds) workIds.add(id);
  parts.push(...splitWorkAvailable([...workIds], room));
  for (const e of events) {
    if (e.type === 'work-available') continue;
    const json = JSON.stringify(e);
    if (Buffer.byteLength(json) > room) dropped += 1;
    else parts.push(json);
  }

  const payloads: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const part of parts) {
    const bytes = Buffer.byteLength(part) + (current.length > 0 ? 1 : 0);
    if (size + bytes > room && current.length > 0) {
      payloads.push(head + current.join(',') + tail);
      current = [];
      size = 0;
    }
    size += Buffer.byteLength(part) + (current.length > 0 ? 1 : 0);
    current.push(part);
  }
  if (current.length > 0) payloads.push(head + current.join(',') + tail);
  return { payloads, dropped };
}

/** work-available events, each at most `room` bytes of JSON, together naming every id once. */
function splitWorkAvailable(ids: readonly string[], room: number): string[] {
  const prefix = '{"type":"work-available","endpointIds":[';
  const suffix = ']}';
  const out: string[] = [];
  let batch: string[] = [];
  let size = prefix.length + suffix.length;
  for (const id of ids) {
    const quoted = JSON.stringify(id);
    const bytes = Buffer.byteLength(quoted) + (batch.length > 0 ? 1 : 0);
    if (size + bytes > room && batch.length > 0) {
      out.push(prefix + batch.join(',') + suffix);
      batch = [];
      size = prefix.length + suffix.length;
    }
    size += Buffer.byteLength(quoted) + (batch.length > 0 ? 1 : 0);
    batch.push(quoted);
  }
  if (batch.length > 0) out.push(prefix + batch.join(',') + suffix);
  return out;
}

/** Decodes a payload; null for anything that is not one of ours (another program on the channel). */
export function parseNotification(payload: string): RelayedEvents | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  const v = value as { n?: unknown; e?: unknown } | null;
  if (!v || typeof v.n !== 'string' || !Array.isArray(v.e)) return null;
  const events = v.e.filter(
    (e): e is DomainEvent => typeof e === 'object' && e !== null && EVENT_TYPES.has((e as { type?: unknown }).type as string),
  );
  return { nodeId: v.n, events };
}
