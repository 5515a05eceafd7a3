import type { SweepCommand } from '@quarry/protocol';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { SubtaskRecord } from '../ports/subtask-store.js';
import { appError } from '../errors/catalogue.js';
import { iso } from '../shared/time.js';

/**
 * The command of one sweep subtask attempt. A freshly dispatched attempt resets the subtask's
 * batch sequence (the agent numbers batches per attempt); a re-sent one keeps it.
 */
export async function buildSweepCommand(tx: QuarryStore, s: SubtaskRecord, fresh: boolean, now: number): Promise<SweepCommand> {
  const sweep = await tx.sweeps.get(s.taskId);
  if (!sweep) throw appError('INTERNAL', { reason: 'sweep criteria missing', taskId: s.taskId });
  if (fresh) await tx.sweeps.resetProgress(s.id, s.taskId, s.attempt, now);
  return { subtaskId: s.id, taskId: s.taskId, attempt: s.attempt, criteria: sweep.criteria, deadlineAt: iso(s.deadlineAt ?? 0) };
}
