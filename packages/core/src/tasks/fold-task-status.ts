import type { DomainEvent } from '../ports/event-publisher.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { storeDerivedStatus } from './refresh-task-status.js';

/** One task's folds in this process: the latest begun (or about to begin) and the one queued behind it. */
interface FoldSlot {
  current: Promise<void> | null;
  /** Whether `current` has begun: a fold not yet begun will see every change committed so far. */
  started: boolean;
  next: Promise<void> | null;
}

// Per store (not global): tests run several stores in one process.
const slotsByStore = new WeakMap<QuarryStore, Map<number, FoldSlot>>();

/**
 * Moves the tasks' pending counter changes into their counters and re-derives their statuses,
 * one short transaction per task. A subtask change only records its counter change (an insert,
 * no task row lock); this is where the task row is locked, once for however many changes have
 * piled up. Requests for a task coalesce: a request waits for at most the fold that starts after
 * it (one already running may have missed its change), so a task with 10,000 busy subtasks is
 * folded back to back by one transaction per node rather than 10,000. Resolves when the changes
 * committed before the call are folded; a failed fold is logged and left to the engine's sweep.
 */
export async function foldTaskStatuses(deps: ServiceDeps, taskIds: Iterable<number>): Promise<void> {
  await Promise.all([...taskIds].map((id) => requestFold(deps, id)));
}

function requestFold(deps: ServiceDeps, taskId: number): Promise<void> {
  let slots = slotsByStore.get(deps.store);
  if (!slots) slotsByStore.set(deps.store, (slots = new Map()));
  const existing = slots.get(taskId);
  if (existing?.next) return existing.next;
  if (existing?.current && !existing.started) return existing.current;
  const slot: FoldSlot = existing ?? { current: null, started: false, next: null };
  if (!existing) slots.set(taskId, slot);
  const run = async (): Promise<void> => {
    slot.current = mine;
    slot.started = true;
    slot.next = null;
    try {
      await foldOnce(deps, taskId);
    } catch (err) {
      deps.logger.warn({ err, taskId }, 'task status fold failed; the engine sweep retries it');
    } finally {
      if (slot.current === mine && slot.next === null) slots.delete(taskId);
    }
  };
  // Always at least one tick later, so `mine` is assigned before `run` reads it.
  const mine: Promise<void> = (slot.current ?? Promise.resolve()).then(run, run);
  if (slot.current) slot.next = mine;
  else {
    slot.current = mine;
    slot.started = false;
  }
  return mine;
}

async function foldOnce(deps: ServiceDeps, taskId: number): Promise<void> {
  const now = deps.clock.now().getTime();
  let events: DomainEvent[] = [];
  await deps.store.transaction(async (tx) => {
    events = [];
    const folded = await tx.tasks.foldCounts(taskId);
    // Nothing pending: another fold (maybe on another node) took this change and published it.
    if (!folded || folded.folded === 0) return;
    const event = await storeDerivedStatus(tx, taskId, folded.counters, now, folded.task);
    if (event) events.push(event);
  });
  for (const event of events) {
    try {
      deps.events.publish(event);
    } catch (err) {
      deps.logger.warn({ err, eventType: event.type }, 'event publish failed');
    }
  }
}
