import { setTimeout as sleep } from 'node:timers/promises';
import type { QuarryClient } from '@quarry/client';
import type { RetrievalDetail, Subtask } from '@quarry/protocol';
import { MSG } from '../messages.js';
import { isTerminalTaskStatus, loadRetrievalDetail } from './load-detail.js';
import type { ProgressView } from './progress-view.js';

export interface FollowOptions {
  view: ProgressView;
  signal?: AbortSignal;
  /** Polling cadence once the event stream is gone. */
  pollIntervalMs?: number;
}

const DEFAULT_POLL_MS = 1000;

/**
 * Waits for the task to end, preferring the SSE stream and falling back to polling when the
 * stream fails or closes before a terminal status. Resolves to the final detail (all subtasks).
 */
export async function followTask(client: QuarryClient, taskId: number, o: FollowOptions): Promise<RetrievalDetail> {
  let detail = await loadRetrievalDetail(client, taskId, o.signal);
  const hostnames = new Map(detail.subtasks.items.map((s) => [s.id, s.hostname]));
  showAll(o.view, detail.subtasks.items);
  if (isTerminalTaskStatus(detail.status)) return detail;

  if (!(await followStream(client, taskId, hostnames, o))) {
    for (;;) {
      detail = await loadRetrievalDetail(client, taskId, o.signal);
      showAll(o.view, detail.subtasks.items);
      if (isTerminalTaskStatus(detail.status)) break;
      await sleep(o.pollIntervalMs ?? DEFAULT_POLL_MS, undefined, { signal: o.signal });
    }
  }
  detail = await loadRetrievalDetail(client, taskId, o.signal);
  showAll(o.view, detail.subtasks.items);
  return detail;
}

/** True when the stream reported a terminal task status. */
async function followStream(client: QuarryClient, taskId: number, hostnames: Map<number, string>, o: FollowOptions): Promise<boolean> {
  try {
    for await (const event of client.streamRetrievalEvents(taskId, { signal: o.signal })) {
      if (event.type === 'task') {
        if (isTerminalTaskStatus(event.status)) return true;
        continue;
      }
      o.view.update({
        id: event.subtaskId,
        hostname: hostnames.get(event.subtaskId) ?? event.endpointId,
        state: event.state,
        bytesDone: event.bytesDone,
        bytesTotal: event.bytesTotal,
      });
    }
    // Closed without a terminal status (e.g. the task ended before we subscribed): polling settles it.
  } catch (err) {
    if (o.signal?.aborted) throw err;
    o.view.log(MSG.streamLost(err instanceof Error ? err.message : String(err)));
  }
  return false;
}

function showAll(view: ProgressView, subtasks: readonly Subtask[]): void {
  for (const s of subtasks) view.update({ id: s.id, hostname: s.hostname, state: s.state, bytesDone: s.bytesDone, bytesTotal: s.bytesTotal });
}
