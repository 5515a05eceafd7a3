import type { CreateRetrievalBody, TaskSource } from '@quarry/protocol';
import type { Actor } from '../services/actor.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { recordAudit } from '../audit/record-audit.js';
import { resolveEndpoints } from '../endpoints/resolve-endpoint.js';
import { actorRef } from '../shared/actor-ref.js';
import { inTransaction } from '../shared/outbox.js';
import { pathProblem } from './validate-path.js';
import { refreshTaskStatus } from './refresh-task-status.js';
import { insertQueuedSubtasks, insertTask } from '../tasks/insert-task.js';
import { createRetrievalFromElements, ELEMENTS_EXCLUSIVE } from './create-retrieval-from-elements.js';

/** Longest generated task name; the API caps explicit names at 200 too. */
const MAX_NAME_LENGTH = 200;

/**
 * Validates targets and creates the task with one queued subtask per endpoint and one file op per
 * path, all in one transaction. Returns the new task id.
 */
export async function createRetrieval(deps: ServiceDeps, actor: Actor, body: CreateRetrievalBody, source: TaskSource): Promise<number> {
  const { settings, clock } = deps;
  if (body.elements !== undefined) {
    if (body.endpoints !== undefined || body.paths !== undefined) throw appError('VALIDATION_FAILED', { reason: ELEMENTS_EXCLUSIVE });
    return createRetrievalFromElements(deps, actor, body, body.elements, source);
  }
  const refs = unique((body.endpoints ?? []).map((e) => e.trim()).filter((e) => e.length > 0));
  const paths = unique(body.paths ?? []);
  if (refs.length === 0 || paths.length === 0) throw appError('TARGETS_EMPTY');
  if (refs.length > settings.maxTargetEndpoints) throw appError('TARGETS_TOO_MANY', { max: settings.maxTargetEndpoints, what: 'endpoints' });
  if (paths.length > settings.maxTargetPaths) throw appError('TARGETS_TOO_MANY', { max: settings.maxTargetPaths, what: 'paths' });
  for (const path of paths) {
    const reason = pathProblem(path);
    if (reason) throw appError('PATH_INVALID', { path, reason });
  }
  const targets = unique((await resolveEndpoints(deps.store, refs)).map((e) => e.id));

  const now = clock.now().getTime();
  const ttlSeconds = body.ttlSeconds ?? settings.defaultTtlSeconds;
  const maxAttempts = body.maxAttempts ?? settings.defaultMaxAttempts;
  const name = (body.name ?? defaultName(paths)).slice(0, MAX_NAME_LENGTH);

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
    const subtaskIds = await insertQueuedSubtasks(tx, now, { taskId, maxAttempts }, targets);
    // insertMany returns ids in insertion order, which is the order of `targets`.
    await tx.fileOps.insertMany(
      subtaskIds.flatMap((subtaskId, i) => paths.map((path) => ({ subtaskId, taskId, endpointId: targets[i] as string, path }))),
    );
    await recordAudit(tx, now, {
      actor,
      action: 'retrieval.create',
      target: { type: 'task', id: String(taskId) },
      details: { name, source, endpoints: targets, paths, ttlSeconds, maxAttempts },
    });
    await refreshTaskStatus(tx, out, taskId, now);
    out.publish({ type: 'work-available', endpointIds: targets });
    return taskId;
  });
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function defaultName(paths: readonly string[]): string {
  const first = paths[0] ?? '';
  return paths.length > 1 ? `${first} (+${paths.length - 1})` : first;
}
