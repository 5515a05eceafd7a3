import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { RetrievalDetail, Task } from '@quarry/protocol';
import { CliUsageError, type CliContext } from '../context.js';
import { renderFileReport } from '../format/file-report.js';
import { MSG } from '../messages.js';
import { collect, parseId, parsePositiveInt } from '../parse-args.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../report-error.js';
import { downloadFiles } from '../retrieve/download-files.js';
import { collectFailures, formatFailure } from '../retrieve/failures.js';
import { followTask } from '../retrieve/follow-task.js';
import { loadTaskFiles } from '../retrieve/load-detail.js';
import { planDownloads } from '../retrieve/plan-downloads.js';
import { createProgressView, type ProgressView } from '../retrieve/progress-view.js';
import type { Runner } from './runner.js';

export interface RetrieveOptions {
  endpoint?: string[];
  path?: string[];
  element?: number[];
  out?: string;
  wait: boolean;
  zip?: boolean;
  ttl?: number;
  name?: string;
}

export function registerRetrieveCommand(program: Command, run: Runner): void {
  program
    .command('retrieve')
    .description('retrieve files from endpoints, wait, download and verify them')
    .option('--endpoint <id|hostname>', 'endpoint to retrieve from (repeatable)', collect)
    .option('--path <path>', 'absolute path on the endpoint (repeatable)', collect)
    .option('--element <id>', 'a file element found by a sweep, instead of --endpoint/--path (repeatable)', collectId)
    .option('--out <file|dir>', 'where to save: a file for exactly one result, else a directory (default: .)')
    .option('--no-wait', 'print the task id and exit without waiting')
    .option('--zip', 'download as password-protected zip (password printed)')
    .option('--ttl <seconds>', 'how long queued work waits for an offline endpoint', parsePositiveInt)
    .option('--name <name>', 'a name for the task')
    .action(run<RetrieveOptions>((ctx, opts) => retrieve(ctx, opts)));
}

/** commander argParser for repeatable element ids. */
function collectId(value: string, previous: number[] | undefined): number[] {
  return [...(previous ?? []), parseId(value)];
}

/** Validates what commander cannot express (required repeatable options). */
export function validateRetrieveOptions(opts: RetrieveOptions): { endpoints: string[]; paths: string[] } | { elements: number[] } {
  if (opts.element && opts.element.length > 0) {
    if ((opts.endpoint ?? []).length > 0 || (opts.path ?? []).length > 0) throw new CliUsageError(MSG.elementExclusive);
    return { elements: opts.element };
  }
  const endpoints = (opts.endpoint ?? []).map((e) => e.trim()).filter(Boolean);
  const paths = (opts.path ?? []).filter((p) => p.length > 0);
  if (endpoints.length === 0) throw new CliUsageError(MSG.endpointRequired);
  if (paths.length === 0) throw new CliUsageError(MSG.pathRequired);
  return { endpoints, paths };
}

/** One endpoint and one path: at most one file can result, so `--out` may name that file. */
function isSingle(opts: RetrieveOptions): boolean {
  if (opts.element) return opts.element.length === 1;
  return (opts.endpoint ?? []).length === 1 && (opts.path ?? []).length === 1;
}

async function retrieve(ctx: CliContext, opts: RetrieveOptions): Promise<number> {
  const targets = validateRetrieveOptions(opts);
  const client = ctx.client();
  const task = await client.createRetrieval({ ...targets, name: opts.name, ttlSeconds: opts.ttl });
  if (!opts.wait) {
    if (ctx.json) ctx.printJson(task);
    else ctx.out(MSG.taskIdOnly(task.id));
    return EXIT_OK;
  }
  if (!ctx.json) ctx.err(MSG.taskCreated(task.id));

  const view = createProgressView(ctx.io.stderr, ctx.json ? 'silent' : ctx.io.stderr.isTTY ? 'tty' : 'plain');
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    return await followAndDownload(ctx, task, opts, view, ac.signal);
  } catch (err) {
    if (!ac.signal.aborted) throw err;
    view.stop();
    ctx.err(MSG.interrupted(task.id));
    return EXIT_INTERRUPTED;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function followAndDownload(ctx: CliContext, task: Task, opts: RetrieveOptions, view: ProgressView, signal: AbortSignal): Promise<number> {
  const client = ctx.client();
  let detail: RetrievalDetail;
  try {
    detail = await followTask(client, task.id, { view, signal });
  } finally {
    view.stop();
  }
  if (!ctx.json) ctx.err(MSG.taskFinished(task.id, detail.status));

  const files = await loadTaskFiles(client, task.id);
  const outIsDirectory = opts.out ? await stat(resolve(ctx.io.cwd, opts.out)).then((s) => s.isDirectory(), () => false) : false;
  const plan = planDownloads(files, { out: opts.out, cwd: ctx.io.cwd, single: isSingle(opts), zip: opts.zip === true, outIsDirectory });
  const outcome = await downloadFiles(client, plan, {
    format: opts.zip ? 'zip' : 'raw',
    view,
    signal,
    onSaved: (f) => {
      if (!ctx.json) ctx.out(`${renderFileReport({ file: f, savedTo: f.savedTo, password: f.password })}\n`);
    },
  });
  const failures = [...collectFailures(detail), ...outcome.failures];
  const ok = failures.length === 0 && detail.status === 'succeeded';
  if (ctx.json) {
    const { subtasks: _subtasks, ...taskOnly } = detail;
    ctx.printJson({ ok, task: taskOnly, files: outcome.saved, failures });
  } else {
    for (const f of failures) ctx.out(formatFailure(f));
    if (files.length === 0) ctx.err(MSG.noFiles);
  }
  return ok ? EXIT_OK : EXIT_FAILURE;
}
