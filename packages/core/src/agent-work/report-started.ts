import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { inTransaction } from '../shared/outbox.js';
import { transitionSubtask } from '../subtasks/transition-subtask.js';
import { pushDeadline, requireActiveSubtask } from './active-subtask.js';

/** `dispatched → running`; a repeat for the same attempt only refreshes the deadline. */
export async function reportStarted(deps: ServiceDeps, endpointId: string, subtaskId: number, attempt: number): Promise<void> {
  const { clock, settings } = deps;
  const now = clock.now().getTime();
  await inTransaction(deps, async (tx, out) => {
    const subtask = await requireActiveSubtask(tx, endpointId, subtaskId, attempt);
    if (subtask.state !== 'dispatched') {
      await pushDeadline(tx, subtask, now, settings.inactivityTimeoutSeconds);
      return;
    }
    const result = await transitionSubtask(tx, out, now, { subtask, to: 'running' }, {
      patch: { startedAt: now, deadlineAt: now + settings.inactivityTimeoutSeconds * 1000 },
    });
    if (!result.ok) {
      // Something else moved it first: fine if it is still this attempt and active.
      const again = await requireActiveSubtask(tx, endpointId, subtaskId, attempt);
      if (again.state === 'dispatched') throw appError('SUBTASK_NOT_ACTIVE', { subtaskId });
      await pushDeadline(tx, again, now, settings.inactivityTimeoutSeconds);
    }
  });
}
