import type { CreateRetrievalBody, TaskSource } from '@quarry/protocol';
import type { Actor } from '../services/actor.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { recordAudit } from '../audit/record-audit.js';
import { actorRef } from '../shared/actor-ref.js';
import { inTransaction } from '../shared/outbox.js';
import { refreshTaskStatus } from './refresh-task-status.js';
import { insertQueuedSubtasks, insertTask } from '../tasks/insert-task.js';

/** VALIDATION_FAILED reason when a body mixes both ways of naming targets. */
export const ELEMENTS_EXCLUSIVE = 'give either elements, or endpoints and paths, not both';

const MAX_NAME_LENGTH = 200;

/**
 * A retrieval of file elements found by sweeps: one queued subtask per endpoint holding elements,
 * with one file op per element path of that endpoint. Unknown ids are ELEMENT_NOT_FOUND.
 */
export async function createRetrievalFromElements(
  deps: ServiceDeps,
  actor: Actor,
  body: CreateRetrievalBody,
  elementIds: readonly number[],
  source: TaskSource,
): Promise<number> {
  const { settings, clock } = deps;
  const ids = [...new Set(elementIds)];
  if (ids.length === 0) throw appError('TARGETS_EMPTY');
  const elements = await deps.store.elements.getMany(ids);
  const found = new Set(elements.map((e) => e.id));
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw appError('ELEMENT_NOT_FOUND', { elementId: missing });
  const byEndpoint = new Map<string, string[]>();
  for (const e of elements) byEndpoint.set(e.endpointId, [...new Set([...(byEndpoint.get(e.endpointId) ?? []), e.path])]);
  if (byEndpoint.size > settings.maxTargetEndpoints) throw appError('TARGETS_TOO_MANY', { max: settings.maxTargetEndpoints, what: 'endpoints' });
  const targets = [...byEndpoint.entries()];
  const paths = [...new Set(elements.map((e) => e.path))];
  const now = clock.now().getTime();
  const ttlSeconds = body.ttlSeconds ?? settings.defaultTtlSeconds;
  const maxAttempts = body.maxAttempts ?? settings.defaultMaxAttempts;
  const first = paths[0] ?? '';
  const name = (body.name ?? (paths.length > 1 ? `${first} (+${paths.length - 1})` : first)).slice(0, MAX_NAME_LENGTH);

  return inTransaction(deps, async (tx, out) => {
    const taskId = await insertTask(tx, now, {
      kind: 'retrieval',
      name,
      source,
      paths,
      createdBy: actorRef(actor).id,
      ttlSeconds,
      maxAttempts,
    });
    const subtaskIds = await insertQueuedSubtasks(tx, now, { taskId, maxAttempts }, targets.map(([endpointId]) => endpointId));
    // insertMany returns ids in insertion order, which is the order of `targets`.
    await tx.fileOps.insertMany(
      subtaskIds.flatMap((subtaskId, i) => {
        const [endpointId, endpointPaths] = targets[i]!;
        return endpointPaths.map((path) => ({ subtaskId, taskId, endpointId, path }));
      }),
    );
    await recordAudit(tx, now, {
      actor,
      action: 'retrieval.create',
      target: { type: 'task', id: String(taskId) },
      details: { name, source, elements: ids, endpoints: targets.map(([e]) => e), paths, ttlSeconds, maxAttempts },
    });
    await refreshTaskStatus(tx, out, taskId, now);
    out.publish({ type: 'work-available', endpointIds: targets.map(([e]) => e) });
    return taskId;
  });
}
