import type { CreateSweepBody, TaskSource } from '@quarry/protocol';
import type { Actor } from '../services/actor.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { recordAudit } from '../audit/record-audit.js';
import { resolveEndpoints } from '../endpoints/resolve-endpoint.js';
import { actorRef } from '../shared/actor-ref.js';
import { inTransaction } from '../shared/outbox.js';
import { refreshTaskStatus } from '../tasks/refresh-task-status.js';
import { insertQueuedSubtasks, insertTask } from '../tasks/insert-task.js';
import { validateCriteria } from './validate-criteria.js';

const MAX_NAME_LENGTH = 200;

/**
 * Validates the criteria and targets, then creates the sweep task, its criteria and one queued
 * subtask per endpoint in one transaction. Returns the task id.
 */
export async function createSweep(deps: ServiceDeps, actor: Actor, body: CreateSweepBody, source: TaskSource): Promise<number> {
  const { settings, clock } = deps;
  const criteria = validateCriteria(body);
  const refs = [...new Set(body.endpoints.map((e) => e.trim()).filter((e) => e.length > 0))];
  if (refs.length === 0) throw appError('TARGETS_EMPTY');
  if (refs.length > settings.maxTargetEndpoints) throw appError('TARGETS_TOO_MANY', { max: settings.maxTargetEndpoints, what: 'endpoints' });
  const endpointIds = [...new Set((await resolveEndpoints(deps.store, refs)).map((e) => e.id))];
  const now = clock.now().getTime();
  const ttlSeconds = body.ttlSeconds ?? settings.defaultTtlSeconds;
  const maxAttempts = body.maxAttempts ?? settings.defaultMaxAttempts;
  const first = criteria.roots[0] ?? '';
  const name = (body.name ?? `sweep ${first}${criteria.roots.length > 1 ? ` (+${criteria.roots.length - 1})` : ''}`).slice(0, MAX_NAME_LENGTH);

  return inTransaction(deps, async (tx, out) => {
    const taskId = await insertTask(tx, now, {
      kind: 'sweep',
      name,
      source,
      paths: criteria.roots,
      createdBy: actorRef(actor).id,
      ttlSeconds,
      maxAttempts,
    });
    await tx.sweeps.insert({ taskId, criteria, createdAt: now });
    await insertQueuedSubtasks(tx, now, { taskId, maxAttempts }, endpointIds);
    await recordAudit(tx, now, {
      actor,
      action: 'sweep.create',
      target: { type: 'task', id: String(taskId) },
      details: { name, source, endpoints: endpointIds, criteria, ttlSeconds, maxAttempts },
    });
    await refreshTaskStatus(tx, out, taskId, now);
    out.publish({ type: 'work-available', endpointIds });
    return taskId;
  });
}
