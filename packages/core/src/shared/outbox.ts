import type { DomainEvent } from '../ports/event-publisher.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { ServiceDeps } from './service-deps.js';
import { foldTaskStatuses } from '../tasks/fold-task-status.js';

/**
 * Collects what must happen only once a transaction has committed: events (so nobody hears of a
 * change that was rolled back) and clean-up outside the database (discarding blobs).
 */
export class Outbox {
  readonly #events: DomainEvent[] = [];
  readonly #afterCommit: Array<() => Promise<void>> = [];
  /** Tasks whose counters got a pending change in this transaction: folded after the commit. */
  readonly touchedTasks = new Set<number>();

  publish(event: DomainEvent): void {
    this.#events.push(event);
  }

  /** Notes that `taskId`'s counters changed (`recordCountDelta`), so its status is re-derived after the commit. */
  touchTask(taskId: number): void {
    this.touchedTasks.add(taskId);
  }

  afterCommit(action: () => Promise<void>): void {
    this.#afterCommit.push(action);
  }

  async flush(deps: Pick<ServiceDeps, 'events' | 'logger'>): Promise<void> {
    for (const event of this.#events) {
      try {
        deps.events.publish(event);
      } catch (err) {
        deps.logger.warn({ err, eventType: event.type }, 'event publish failed');
      }
    }
    for (const action of this.#afterCommit) {
      try {
        await action();
      } catch (err) {
        deps.logger.warn({ err }, 'post-commit action failed');
      }
    }
  }
}

/**
 * Runs `fn` in a store transaction and flushes its outbox after commit, then folds the counter
 * changes of the tasks it touched (see foldTaskStatuses); with `foldLater` it adds those task ids
 * there for the caller to fold. The outbox is made inside the callback because a store may re-run
 * the callback (PostgreSQL after a deadlock): only the run that committed may publish.
 */
export async function inTransaction<T>(
  deps: ServiceDeps,
  fn: (tx: QuarryStore, out: Outbox) => Promise<T>,
  options: { foldLater?: Set<number> } = {},
): Promise<T> {
  let out = new Outbox();
  const result = await deps.store.transaction((tx) => {
    out = new Outbox();
    return fn(tx, out);
  });
  await out.flush(deps);
  // Task statuses follow their subtasks as soon as the change is committed: the call returns
  // only once they are re-derived (unless the caller folds a whole loop's worth itself).
  if (options.foldLater) for (const id of out.touchedTasks) options.foldLater.add(id);
  else if (out.touchedTasks.size > 0) await foldTaskStatuses(deps, out.touchedTasks);
  return result;
}
