import type { SweepCounters, SweepResultsBody, SweepResultsResponse } from '@quarry/protocol';
import type { ElementSighting } from '../ports/element-store.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import type { Outbox } from '../shared/outbox.js';
import { appError } from '../errors/catalogue.js';
import { fileNameOf } from '../files/file-wire.js';
import { inTransaction } from '../shared/outbox.js';
import { decideSettlement } from '../subtasks/decide-settlement.js';
import { retryDelayMs } from '../subtasks/retry-backoff.js';
import { SETTLEMENT_MESSAGES } from '../subtasks/settle-subtask.js';
import { transitionSubtask } from '../subtasks/transition-subtask.js';
import { pushDeadline, requireActiveSubtask } from '../agent-work/active-subtask.js';

/**
 * One batch of a sweep attempt. In one transaction: checks the batch sequence (a stored batch is
 * acknowledged as a duplicate, a gap is SWEEP_BATCH_OUT_OF_ORDER), upserts the file elements,
 * links them to the subtask and records the walk's counters. The final batch settles the subtask:
 * `done` succeeds it (truncated or not, as the agent says), `failure` fails it or queues a retry.
 * Other batches are signs of life that push the deadline.
 */
export async function recordSweepResults(deps: ServiceDeps, endpointId: string, subtaskId: number, body: SweepResultsBody): Promise<SweepResultsResponse> {
  const { clock, settings, secrets } = deps;
  const now = clock.now().getTime();
  if (body.done && body.failure) throw appError('VALIDATION_FAILED', { reason: 'a batch is either done or failed, not both' });
  return inTransaction(deps, async (tx, out) => {
    const own = await tx.subtasks.get(subtaskId);
    if (!own || own.endpointId !== endpointId) throw appError('SUBTASK_NOT_FOUND', { subtaskId });
    const before = (await tx.sweeps.getProgress([subtaskId])).get(subtaskId);
    // A retried POST of a batch already stored (even the final one, after the subtask ended).
    if (before && before.attempt === body.attempt && body.seq < before.nextSeq) return { seq: body.seq, duplicate: true };
    const subtask = await requireActiveSubtask(tx, endpointId, subtaskId, body.attempt);
    if (!before || before.attempt !== body.attempt) throw appError('SUBTASK_NOT_ACTIVE', { subtaskId, attempt: body.attempt });
    if (body.seq > before.nextSeq) throw appError('SWEEP_BATCH_OUT_OF_ORDER', { seq: body.seq, expected: before.nextSeq });

    const counters = countersOf(body.done ?? body.progress ?? before.counters);
    const advanced = await tx.sweeps.advanceProgress(subtaskId, body.attempt, body.seq, {
      counters,
      ...(body.done ? { done: true, truncated: body.done.truncated, budgetHit: body.done.budgetHit } : {}),
      updatedAt: now,
    });
    // Another request stored this batch between our read and our write.
    if (!advanced) return { seq: body.seq, duplicate: true };

    if (body.results.length > 0) {
      const sightings = distinctByPath(body.results.map(toSighting));
      const ids = await tx.elements.upsertMany(endpointId, subtask.taskId, now, sightings, guidSource(secrets.randomHex(8 * sightings.length), now));
      await tx.sweeps.linkResults(subtask.taskId, subtaskId, ids, now);
    }
    const running = await markRunning(tx, out, now, subtask);
    const bytesDone = (body.done ?? body.progress)?.bytesHashed ?? running.bytesDone;
    if (body.done) {
      await transitionSubtask(tx, out, now, { subtask: running, to: 'succeeded' }, {
        patch: { finishedAt: now, deadlineAt: null, failureCode: null, failureMessage: null, bytesDone, bytesTotal: bytesDone },
      });
    } else if (body.failure) {
      await settleFailure(tx, out, { now, retryBaseDelaySeconds: settings.retryBaseDelaySeconds }, running, body.failure);
    } else {
      await pushDeadline(tx, running, now, settings.inactivityTimeoutSeconds, { bytesDone });
    }
    return { seq: body.seq, duplicate: false };
  });
}

/**
 * Element guids: the time first seen (12 hex digits) then 64 random bits. Time first keeps inserts
 * into the unique guid index near its end instead of at random places, which is most of the cost of
 * storing a large batch; the random part keeps guids unguessable and unique. One call to the
 * random source per batch instead of one per element.
 */
function guidSource(entropy: string, now: number): () => string {
  const prefix = now.toString(16).padStart(12, '0');
  let i = 0;
  return () => `${prefix}${entropy.slice(i * 16, ++i * 16)}`;
}

/** Just the counters (the final batch carries truncated and budgetHit beside them). */
function countersOf(c: SweepCounters): SweepCounters {
  const { filesListed, filesMatched, bytesHashed, skippedUnreadable, skippedLoops, skippedDenied, rootsMissing, durationMs } = c;
  return { filesListed, filesMatched, bytesHashed, skippedUnreadable, skippedLoops, skippedDenied, rootsMissing, durationMs };
}

function toSighting(r: SweepResultsBody['results'][number]): ElementSighting {
  return {
    path: r.path,
    name: fileNameOf(r.path),
    size: r.size,
    mtime: r.mtimeMs === null ? null : Math.trunc(r.mtimeMs),
    owner: r.owner,
    md5: r.md5,
    sha1: r.sha1,
    sha256: r.sha256,
  };
}

/** One sighting per path (the last wins): an upsert may touch each row once. */
function distinctByPath(sightings: ElementSighting[]): ElementSighting[] {
  return [...new Map(sightings.map((s) => [s.path, s])).values()];
}

/** Results arriving before `started` (lost or late) also prove the attempt runs. */
async function markRunning(tx: QuarryStore, out: Outbox, now: number, subtask: SubtaskRecord): Promise<SubtaskRecord> {
  if (subtask.state !== 'dispatched') return subtask;
  const r = await transitionSubtask(tx, out, now, { subtask, to: 'running' }, { patch: { startedAt: now } });
  return r.ok ? r.subtask : subtask;
}

/** The walk failed as a whole: the same retry rule as a retrieval whose only file failed so. */
async function settleFailure(
  tx: QuarryStore,
  out: Outbox,
  ctx: { now: number; retryBaseDelaySeconds: number },
  subtask: SubtaskRecord,
  failure: NonNullable<SweepResultsBody['failure']>,
): Promise<void> {
  const decision = decideSettlement([{ state: 'failed', failureCode: failure.code }], subtask.attempt, subtask.maxAttempts);
  if (decision.to === 'queued') {
    await transitionSubtask(tx, out, ctx.now, { subtask, to: 'queued' }, {
      patch: {
        deadlineAt: null,
        failureCode: failure.code,
        failureMessage: SETTLEMENT_MESSAGES.retrying,
        nextAttemptAt: ctx.now + retryDelayMs(ctx.retryBaseDelaySeconds, subtask.attempt),
      },
    });
    return;
  }
  await transitionSubtask(tx, out, ctx.now, { subtask, to: 'failed' }, {
    patch: { finishedAt: ctx.now, deadlineAt: null, failureCode: failure.code, failureMessage: failure.message },
  });
}
