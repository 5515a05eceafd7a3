import { Option, type Command } from 'commander';
import { TASK_STATUSES, type RetrievalDetail, type RetrievedFile, type Task, type TaskStatus } from '@quarry/protocol';
import { paginate } from '@quarry/client';
import { humanBytes } from '../format/bytes.js';
import { renderPairs, renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';
import { MSG } from '../messages.js';
import { parseId } from '../parse-args.js';
import { loadRetrievalDetail, loadTaskFiles } from '../retrieve/load-detail.js';
import type { Runner } from './runner.js';

export function registerTaskCommands(program: Command, run: Runner): void {
  const group = program.command('tasks').description('list, inspect and cancel retrieval tasks');
  group
    .command('list')
    .description('list tasks, newest first')
    .addOption(new Option('--status <status>', 'only tasks with this status').choices(TASK_STATUSES))
    .action(
      run<{ status?: TaskStatus }>(async (ctx, opts) => {
        const client = ctx.client();
        const items: Task[] = [];
        for await (const t of paginate((cursor) => client.listRetrievals({ status: opts.status, cursor }))) items.push(t);
        if (ctx.json) return ctx.printJson(items);
        if (items.length === 0) return ctx.out(MSG.empty('tasks'));
        ctx.out(
          renderTable(
            ['ID', 'NAME', 'STATUS', 'DONE', 'FAILED', 'CREATED'],
            items.map((t) => [
              String(t.id),
              t.name || '-',
              t.status,
              `${t.counts.succeeded}/${t.counts.total}`,
              String(t.counts.failed + t.counts.timed_out + t.counts.expired + t.counts.cancelled),
              formatTimestamp(t.createdAt),
            ]),
          ),
        );
      }),
    );
  group
    .command('show')
    .description('show a task with its subtasks and files')
    .argument('<id>', 'task id', parseId)
    .action(
      run(async (ctx, _opts, [id]) => {
        const client = ctx.client();
        const taskId = Number(id);
        const [detail, files] = await Promise.all([loadRetrievalDetail(client, taskId), loadTaskFiles(client, taskId)]);
        if (ctx.json) return ctx.printJson({ ...detail, files });
        ctx.out(renderTaskDetail(detail, files));
      }),
    );
  group
    .command('cancel')
    .description('cancel a task (work already finished is kept)')
    .argument('<id>', 'task id', parseId)
    .action(
      run(async (ctx, _opts, [id]) => {
        const task = await ctx.client().cancelRetrieval(Number(id));
        if (ctx.json) return ctx.printJson(task);
        ctx.out(MSG.cancelledTask(task.id, task.status));
      }),
    );
}

/** Human view of `tasks show`: header, subtasks with their file ops, retrieved files. */
export function renderTaskDetail(detail: RetrievalDetail, files: readonly RetrievedFile[]): string {
  const header = renderPairs([
    ['task', String(detail.id)],
    ['name', detail.name || '-'],
    ['status', detail.status],
    ['paths', detail.paths.join(', ')],
    ['created', `${formatTimestamp(detail.createdAt)} by ${detail.createdBy}`],
    ['expires', formatTimestamp(detail.expiresAt)],
    ['finished', formatTimestamp(detail.finishedAt)],
  ]);
  const opRows = detail.subtasks.items.flatMap((s) =>
    s.files.map((f) => [
      String(s.id),
      s.hostname,
      s.state,
      `${s.attempt}/${s.maxAttempts}`,
      f.path,
      f.state,
      humanBytes(f.size),
      f.failureCode ? `${f.failureCode}: ${f.failureMessage ?? ''}` : s.failureCode ? `${s.failureCode}: ${s.failureMessage ?? ''}` : '',
    ]),
  );
  const subtasks = renderTable(['SUBTASK', 'HOSTNAME', 'STATE', 'ATTEMPT', 'PATH', 'FILE STATE', 'SIZE', 'FAILURE'], opRows);
  const fileTable =
    files.length === 0
      ? MSG.empty('files retrieved')
      : renderTable(
          ['FILE', 'HOSTNAME', 'PATH', 'SIZE', 'SHA256'],
          files.map((f) => [String(f.id), f.hostname, f.path, humanBytes(f.size), f.sha256]),
        );
  return `${header}\n\n${subtasks}\n\n${fileTable}`;
}
