import type {
  CreateRetrievalBody,
  GetRetrievalQuery,
  ListTasksQuery,
  PageOf,
  RetrievalDetail,
  Subtask,
  SubtaskState,
  Task,
  TaskSource,
  TaskStatus,
} from '@quarry/protocol';
import type { QuarryStore } from '../ports/quarry-store.js';
import type { Actor } from '../services/actor.js';
import type { RetrievalService } from '../services/contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { appError } from '../errors/catalogue.js';
import { recordAudit } from '../audit/record-audit.js';
import { inTransaction } from '../shared/outbox.js';
import { decodeCursor, pageLimit, toPage } from '../shared/paging.js';
import { NON_TERMINAL_SUBTASK_STATES } from '../subtasks/subtask-transitions.js';
import { toSubtasks } from '../subtasks/subtask-wire.js';
import { cancelSubtaskRecord, cancelSubtaskRecords } from './cancel-subtasks.js';
import { createRetrieval } from './create-retrieval.js';
import { refreshTaskStatus } from './refresh-task-status.js';
import { TaskCountBatch } from './task-count-batch.js';
import { toTask } from './task-wire.js';

export function createRetrievalService(deps: ServiceDeps): RetrievalService {
  const { store, clock } = deps;

  async function loadTask(s: QuarryStore, taskId: number): Promise<Task> {
    const task = await s.tasks.get(taskId);
    if (!task) throw appError('TASK_NOT_FOUND', { taskId });
    const counts = (await s.tasks.countSubtasks([taskId])).get(taskId);
    return toTask(task, counts!);
  }

  async function loadSubtask(s: QuarryStore, subtaskId: number): Promise<Subtask> {
    const subtask = await s.subtasks.get(subtaskId);
    if (!subtask) throw appError('SUBTASK_NOT_FOUND', { subtaskId });
    const [mapped] = await toSubtasks(s, [subtask]);
    return mapped!;
  }

  return {
    async create(actor: Actor, body: CreateRetrievalBody, source: TaskSource = 'native'): Promise<Task> {
      const taskId = await createRetrieval(deps, actor, body, source);
      return loadTask(store, taskId);
    },

    async list(query: ListTasksQuery): Promise<PageOf<Task>> {
      const q = query as { limit?: number; cursor?: string; status?: TaskStatus };
      const limit = pageLimit(q.limit);
      // Sweeps have their own list (GET /api/v1/sweeps).
      const rows = await store.tasks.list({ status: q.status, kind: 'retrieval' }, { limit: limit + 1, after: decodeCursor(q.cursor, 'number') });
      const counts = await store.tasks.countSubtasks(rows.slice(0, limit).map((r) => r.id));
      return toPage(rows, limit, (r) => r.id, (r) => toTask(r, counts.get(r.id)!));
    },

    async get(taskId: number, query: GetRetrievalQuery = {}): Promise<RetrievalDetail> {
      const q = query as { limit?: number; cursor?: string; state?: SubtaskState };
      const task = await loadTask(store, taskId);
      const limit = pageLimit(q.limit);
      const rows = await store.subtasks.listByTask(taskId, { state: q.state }, { limit: limit + 1, after: decodeCursor(q.cursor, 'number') });
      const page = toPage(rows, limit, (r) => r.id, (r) => r);
      return { ...task, subtasks: { items: await toSubtasks(store, page.items), nextCursor: page.nextCursor } };
    },

    getTask: (taskId: number) => loadTask(store, taskId),
    getSubtask: (subtaskId: number) => loadSubtask(store, subtaskId),

    async cancel(actor: Actor, taskId: number): Promise<Task> {
      const now = clock.now().getTime();
      return inTransaction(deps, async (tx, out) => {
        if (!(await tx.tasks.get(taskId))) throw appError('TASK_NOT_FOUND', { taskId });
        const open = await tx.subtasks.listByTaskInStates(taskId, NON_TERMINAL_SUBTASK_STATES);
        if (open.length === 0) throw appError('TASK_NOT_CANCELLABLE', { taskId });
        const counts = new TaskCountBatch();
        const cancelled = await cancelSubtaskRecords(tx, out, now, open, counts);
        await refreshTaskStatus(tx, out, taskId, now, counts.take(taskId));
        await recordAudit(tx, now, { actor, action: 'retrieval.cancel', target: { type: 'task', id: String(taskId) }, details: { cancelledSubtasks: cancelled } });
        return loadTask(tx, taskId);
      });
    },

    async cancelSubtask(actor: Actor, subtaskId: number): Promise<Subtask> {
      const now = clock.now().getTime();
      return inTransaction(deps, async (tx, out) => {
        const subtask = await tx.subtasks.get(subtaskId);
        if (!subtask) throw appError('SUBTASK_NOT_FOUND', { subtaskId });
        if (!(await cancelSubtaskRecord(tx, out, now, subtask, { refreshTask: true }))) {
          const current = (await tx.subtasks.get(subtaskId)) ?? subtask;
          throw appError('SUBTASK_INVALID_TRANSITION', { subtaskId, from: current.state, to: 'cancelled' });
        }
        await recordAudit(tx, now, {
          actor,
          action: 'retrieval.subtask.cancel',
          target: { type: 'subtask', id: String(subtaskId) },
          details: { taskId: subtask.taskId, endpointId: subtask.endpointId, from: subtask.state },
        });
        return loadSubtask(tx, subtaskId);
      });
    },
  };
}
