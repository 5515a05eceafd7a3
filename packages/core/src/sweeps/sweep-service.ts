import type {
  CreateSweepBody,
  GetSweepQuery,
  ListSweepResultsQuery,
  ListTasksQuery,
  PageOf,
  SubtaskState,
  SweepDetail,
  SweepResultsPage,
  SweepTask,
  TaskSource,
  TaskStatus,
} from '@quarry/protocol';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { Actor } from '../services/actor.js';
import type { SweepService } from '../services/sweep-contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { recordAudit } from '../audit/record-audit.js';
import { resolveEndpoint } from '../endpoints/resolve-endpoint.js';
import { inTransaction } from '../shared/outbox.js';
import { decodeCursor, encodeCursor, pageLimit, toPage } from '../shared/paging.js';
import { NON_TERMINAL_SUBTASK_STATES } from '../subtasks/subtask-transitions.js';
import { cancelSubtaskRecord } from '../tasks/cancel-subtasks.js';
import { refreshTaskStatus } from '../tasks/refresh-task-status.js';
import { TaskCountBatch } from '../tasks/task-count-batch.js';
import { createSweep } from './create-sweep.js';
import { hashFilterOf } from './hash-kind.js';
import { nameLike } from './like-pattern.js';
import { toSweepResult, toSweepSubtasks, toSweepTask } from './sweep-wire.js';

export function createSweepService(deps: ServiceDeps): SweepService {
  const { store, clock } = deps;

  async function loadSweep(s: QuarryStore, taskId: number): Promise<SweepTask> {
    const task = await s.tasks.get(taskId);
    const sweep = task?.kind === 'sweep' ? await s.sweeps.get(taskId) : null;
    if (!task || !sweep) throw appError('TASK_NOT_FOUND', { taskId });
    const counts = (await s.tasks.countSubtasks([taskId])).get(taskId)!;
    return toSweepTask(task, counts, sweep);
  }

  return {
    async create(actor: Actor, body: CreateSweepBody, source: TaskSource = 'native'): Promise<SweepTask> {
      return loadSweep(store, await createSweep(deps, actor, body, source));
    },

    async list(query: ListTasksQuery): Promise<PageOf<SweepTask>> {
      const q = query as { limit?: number; cursor?: string; status?: TaskStatus };
      const limit = pageLimit(q.limit);
      const rows = await store.tasks.list({ status: q.status, kind: 'sweep' }, { limit: limit + 1, after: decodeCursor(q.cursor, 'number') });
      const page = rows.slice(0, limit);
      const counts = await store.tasks.countSubtasks(page.map((r) => r.id));
      const sweeps = new Map<number, Awaited<ReturnType<typeof store.sweeps.get>>>();
      for (const r of page) sweeps.set(r.id, await store.sweeps.get(r.id));
      return toPage(rows, limit, (r) => r.id, (r) => toSweepTask(r, counts.get(r.id)!, sweeps.get(r.id)!));
    },

    async get(taskId: number, query: GetSweepQuery = {}): Promise<SweepDetail> {
      const q = query as { limit?: number; cursor?: string; state?: SubtaskState };
      const task = await loadSweep(store, taskId);
      const limit = pageLimit(q.limit);
      const rows = await store.subtasks.listByTask(taskId, { state: q.state }, { limit: limit + 1, after: decodeCursor(q.cursor, 'number') });
      const page = toPage(rows, limit, (r) => r.id, (r) => r);
      return { ...task, subtasks: { items: await toSweepSubtasks(store, page.items), nextCursor: page.nextCursor } };
    },

    async results(taskId: number, query: ListSweepResultsQuery = {}): Promise<SweepResultsPage> {
      const q = query as { limit?: number; cursor?: string; endpointId?: string; name?: string; hash?: string };
      await loadSweep(store, taskId);
      const limit = pageLimit(q.limit);
      const endpointId = q.endpointId === undefined ? undefined : (await resolveEndpoint(store, q.endpointId)).id;
      const after = decodeCursor(q.cursor, 'number');
      const rows = await store.sweeps.listResults(
        { taskId, endpointId, nameLike: nameLike(q.name), ...hashFilterOf(q.hash) },
        { limit: limit + 1, after },
      );
      const page = toPage(rows, limit, (r) => r.id, toSweepResult);
      const last = page.items[page.items.length - 1];
      const resumeCursor = last ? encodeCursor(last.id) : after === undefined ? null : encodeCursor(after);
      return { ...page, resumeCursor };
    },

    async cancel(actor: Actor, taskId: number): Promise<SweepTask> {
      const now = clock.now().getTime();
      return inTransaction(deps, async (tx, out) => {
        await loadSweep(tx, taskId);
        const open = await tx.subtasks.listByTaskInStates(taskId, NON_TERMINAL_SUBTASK_STATES);
        if (open.length === 0) throw appError('TASK_NOT_CANCELLABLE', { taskId });
        let cancelled = 0;
        const counts = new TaskCountBatch();
        for (const s of open) if (await cancelSubtaskRecord(tx, out, now, s, { refreshTask: false, counts })) cancelled++;
        await refreshTaskStatus(tx, out, taskId, now, counts.take(taskId));
        await recordAudit(tx, now, { actor, action: 'sweep.cancel', target: { type: 'task', id: String(taskId) }, details: { cancelledSubtasks: cancelled } });
        return loadSweep(tx, taskId);
      });
    },
  };
}
