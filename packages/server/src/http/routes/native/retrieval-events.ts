import type { DomainEvent } from '@quarry/core';
import { IntIdParams, type ProgressEvent, type RetrievalEvent, type Subtask, type Task, type TaskStatus } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteContext } from '../../route-context.js';
import { openSse, SSE_KEEP_ALIVE_MS } from '../../streaming/sse.js';

/** Task statuses after which nothing changes: the stream ends once it reports one. */
const FINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'partially_succeeded', 'failed', 'cancelled', 'expired'];
const SNAPSHOT_PAGE = 500;

const taskEvent = (t: Task): RetrievalEvent => ({ type: 'task', taskId: t.id, status: t.status, counts: t.counts });
const progressEvent = (s: Subtask): ProgressEvent => ({
  type: 'progress',
  taskId: s.taskId,
  subtaskId: s.id,
  endpointId: s.endpointId,
  state: s.state,
  bytesDone: s.bytesDone,
  bytesTotal: s.bytesTotal,
  failureCode: s.failureCode,
});

const isRetrievalEvent = (e: DomainEvent): e is RetrievalEvent => e.type === 'task' || e.type === 'progress';

/**
 * `GET /api/v1/retrievals/{id}/events`: a snapshot (`task`, then one `progress` per subtask),
 * then live events for this task until it reaches a final status.
 */
export const retrievalEventRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  app.get(
    '/retrievals/:id/events',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['retrievals'],
        security: [{ apiKey: [] }],
        summary: 'Server-sent events: `task` and `progress`, ending when the task ends',
        params: IntIdParams,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const taskId = request.params.id;
      // Subscribe before the snapshot so nothing published meanwhile is lost (duplicates are harmless).
      const pending: RetrievalEvent[] = [];
      let deliver: ((e: RetrievalEvent) => void) | null = null;
      const unsubscribe = ctx.bus.subscribe(
        (e) => isRetrievalEvent(e) && e.taskId === taskId,
        (e) => (deliver ? deliver(e as RetrievalEvent) : pending.push(e as RetrievalEvent)),
      );
      let task: Task;
      try {
        task = await ctx.services.retrievals.getTask(taskId);
      } catch (err) {
        unsubscribe();
        throw err;
      }
      reply.hijack();
      let keepAlive: NodeJS.Timeout | undefined;
      let offShutdown: () => void = () => undefined;
      const stream = openSse(reply.raw, request.id, () => {
        unsubscribe();
        clearInterval(keepAlive);
        offShutdown();
      });
      offShutdown = ctx.onShutdown(() => stream.end());
      keepAlive = setInterval(() => stream.comment('keep-alive'), SSE_KEEP_ALIVE_MS);
      keepAlive.unref();
      const emit = (e: RetrievalEvent): void => {
        stream.send(e.type, e);
        if (e.type === 'task' && FINAL_STATUSES.includes(e.status)) stream.end();
      };
      try {
        stream.send('task', taskEvent(task));
        let cursor: string | undefined;
        do {
          const page = await ctx.services.retrievals.get(taskId, { limit: SNAPSHOT_PAGE, ...(cursor ? { cursor } : {}) });
          for (const s of page.subtasks.items) stream.send('progress', progressEvent(s));
          cursor = page.subtasks.nextCursor ?? undefined;
        } while (cursor && !stream.closed);
      } catch (err) {
        request.log.error({ err }, 'event stream snapshot failed');
        stream.end();
        return;
      }
      if (FINAL_STATUSES.includes(task.status)) {
        stream.end();
        return;
      }
      deliver = emit;
      for (const e of pending.splice(0)) if (!stream.closed) emit(e);
    },
  );
};
