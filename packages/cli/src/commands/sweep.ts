import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { QuarryClient } from '@quarry/client';
import type { CreateSweepBody, SweepDetail, SweepResult, SweepSubtask } from '@quarry/protocol';
import { CliUsageError, type CliContext } from '../context.js';
import { humanBytes } from '../format/bytes.js';
import { collect, parsePositiveInt } from '../parse-args.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../report-error.js';
import { isTerminalTaskStatus } from '../retrieve/load-detail.js';
import type { Runner } from './runner.js';

/** User-facing text of `quarry sweep`. */
export const SWEEP_MSG = {
  endpointRequired: 'sweep needs at least one --endpoint ID|HOSTNAME',
  rootRequired: 'sweep needs at least one --root PATH (globs allowed, e.g. /home/*/Downloads)',
  notASize: (v: string) => `"${v}" is not a size (bytes, or with K, M, G or T, e.g. 10G)`,
  notANonNegative: (v: string) => `"${v}" is not a non-negative integer`,
  created: (id: number) => `sweep ${id} created; results follow as they arrive`,
  finished: (id: number, status: string, results: number) => `sweep ${id} ${status}: ${results} result(s)`,
  subtaskSummary: (s: SweepSubtask) =>
    `${s.hostname}: ${s.state}${s.failureCode ? ` (${s.failureCode})` : ''}, ${s.sweep.filesListed} listed, ${s.sweep.filesMatched} matched, ` +
    `${humanBytes(s.sweep.bytesHashed)} hashed, ${s.sweep.skippedUnreadable} unreadable, ${s.sweep.skippedDenied} denied` +
    (s.sweep.truncated ? ` — TRUNCATED by ${s.sweep.budgetHit ?? 'a budget'}` : ''),
  interrupted: (id: number) => `interrupted; sweep ${id} keeps running on the server; results stay at /api/v1/sweeps/${id}/results`,
} as const;

/** How often results are fetched while the sweep runs. */
const FOLLOW_INTERVAL_MS = 500;

export interface SweepOptions {
  endpoint?: string[];
  root?: string[];
  name?: string[];
  hash?: string[];
  minSize?: number;
  maxSize?: number;
  modifiedSince?: string;
  maxFiles?: number;
  maxBytes?: number;
  maxDepth?: number;
  maxSeconds?: number;
  ttl?: number;
  wait: boolean;
}

/** `10G`, `512M`, `4096`: bytes with an optional binary suffix. */
export function parseByteSize(value: string): number {
  const m = /^(\d+)\s*([KMGT]i?B?)?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError(SWEEP_MSG.notASize(value));
  const exp = { k: 1, m: 2, g: 3, t: 4 }[(m[2]?.[0] ?? '').toLowerCase() as 'k'] ?? 0;
  const n = Number(m[1]) * 1024 ** exp;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(SWEEP_MSG.notASize(value));
  return n;
}

function parseNonNegative(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(SWEEP_MSG.notANonNegative(value));
  return Number(value);
}

export function registerSweepCommand(program: Command, run: Runner): void {
  program
    .command('sweep')
    .description('find files on endpoints (names, sizes, dates, hashes); prints results as they arrive')
    .option('--endpoint <id|hostname>', 'endpoint to sweep (repeatable)', collect)
    .option('--root <path>', 'absolute path to walk; globs allowed: *, ?, [..], ** (repeatable)', collect)
    .option('--name <glob>', 'file name pattern, e.g. "*.js" (repeatable)', collect)
    .option('--hash <md5|sha1|sha256>', 'only files with this hash (repeatable)', collect)
    .option('--min-size <bytes>', 'smallest size, e.g. 1M', parseByteSize)
    .option('--max-size <bytes>', 'largest size, e.g. 100M', parseByteSize)
    .option('--modified-since <iso>', 'only files modified at or after, e.g. 2026-01-31T00:00:00Z')
    .option('--max-files <n>', 'budget: files listed per endpoint', parsePositiveInt)
    .option('--max-bytes <bytes>', 'budget: bytes hashed per endpoint, e.g. 10G', parseByteSize)
    .option('--max-depth <n>', 'budget: directory levels below a root', parsePositiveInt)
    .option('--max-seconds <n>', 'budget: walk time per endpoint', parsePositiveInt)
    .option('--ttl <seconds>', 'how long queued work waits for an offline endpoint', parsePositiveInt)
    .option('--no-wait', 'print the sweep id and exit')
    .action(run<SweepOptions>((ctx, opts) => sweep(ctx, opts)));
}

/** The request body from the options; throws CliUsageError for what commander cannot check. */
export function sweepBody(opts: SweepOptions): CreateSweepBody {
  const endpoints = (opts.endpoint ?? []).map((e) => e.trim()).filter(Boolean);
  const roots = (opts.root ?? []).filter((r) => r.length > 0);
  if (endpoints.length === 0) throw new CliUsageError(SWEEP_MSG.endpointRequired);
  if (roots.length === 0) throw new CliUsageError(SWEEP_MSG.rootRequired);
  const budgets = {
    ...(opts.maxFiles !== undefined ? { maxFiles: opts.maxFiles } : {}),
    ...(opts.maxBytes !== undefined ? { maxBytesHashed: opts.maxBytes } : {}),
    ...(opts.maxDepth !== undefined ? { maxDepth: opts.maxDepth } : {}),
    ...(opts.maxSeconds !== undefined ? { maxSeconds: opts.maxSeconds } : {}),
  };
  return {
    endpoints,
    roots,
    ...(opts.name ? { names: opts.name } : {}),
    ...(opts.hash ? { hashes: opts.hash } : {}),
    ...(opts.minSize !== undefined ? { minSize: opts.minSize } : {}),
    ...(opts.maxSize !== undefined ? { maxSize: opts.maxSize } : {}),
    ...(opts.modifiedSince !== undefined ? { modifiedSince: opts.modifiedSince } : {}),
    ...(Object.keys(budgets).length > 0 ? { budgets } : {}),
    ...(opts.ttl !== undefined ? { ttlSeconds: opts.ttl } : {}),
  };
}

async function sweep(ctx: CliContext, opts: SweepOptions): Promise<number> {
  const body = sweepBody(opts);
  const client = ctx.client();
  const task = await client.createSweep(body);
  if (!opts.wait) {
    if (ctx.json) ctx.printJson(task);
    else ctx.out(String(task.id));
    return EXIT_OK;
  }
  if (!ctx.json) ctx.err(SWEEP_MSG.created(task.id));
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const { detail, results } = await followSweep(client, task.id, (r) => printResult(ctx, r), ac.signal);
    if (ctx.json) {
      const { subtasks, ...taskOnly } = detail;
      ctx.out(JSON.stringify({ type: 'summary', task: taskOnly, subtasks: subtasks.items }));
    } else {
      for (const s of detail.subtasks.items) ctx.err(SWEEP_MSG.subtaskSummary(s));
      ctx.err(SWEEP_MSG.finished(task.id, detail.status, results));
    }
    return detail.status === 'succeeded' ? EXIT_OK : EXIT_FAILURE;
  } catch (err) {
    if (!ac.signal.aborted) throw err;
    ctx.err(SWEEP_MSG.interrupted(task.id));
    return EXIT_INTERRUPTED;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function printResult(ctx: CliContext, r: SweepResult): void {
  const e = r.element;
  if (ctx.json) ctx.out(JSON.stringify({ type: 'result', ...r }));
  else ctx.out(`${e.id}\t${e.hostname}\t${e.path}\t${humanBytes(e.size)}\t${e.sha256}`);
}

/**
 * Prints results as they arrive: pages through them with a cursor, and once at the end of the
 * pages asks again from `resumeCursor` until the task has ended and one last pass found nothing new.
 */
export async function followSweep(
  client: QuarryClient,
  taskId: number,
  onResult: (r: SweepResult) => void,
  signal?: AbortSignal,
  intervalMs = FOLLOW_INTERVAL_MS,
): Promise<{ detail: SweepDetail; results: number }> {
  let cursor: string | undefined;
  let count = 0;
  for (;;) {
    // Read the status first: results stored before it ended are then all visible to the pass below.
    const ended = isTerminalTaskStatus((await client.getSweep(taskId, { limit: 1 }, { signal })).status);
    for (;;) {
      const page = await client.listSweepResults(taskId, { limit: 500, ...(cursor ? { cursor } : {}) }, { signal });
      for (const r of page.items) onResult(r);
      count += page.items.length;
      cursor = page.resumeCursor ?? cursor;
      if (!page.nextCursor) break;
    }
    if (ended) break;
    await sleep(intervalMs, undefined, { signal });
  }
  return { detail: await loadSweepDetail(client, taskId, signal), results: count };
}

async function loadSweepDetail(client: QuarryClient, taskId: number, signal?: AbortSignal): Promise<SweepDetail> {
  const first = await client.getSweep(taskId, { limit: 500 }, { signal });
  const items = [...first.subtasks.items];
  let next = first.subtasks.nextCursor;
  while (next) {
    const page = await client.getSweep(taskId, { limit: 500, cursor: next }, { signal });
    items.push(...page.subtasks.items);
    next = page.subtasks.nextCursor;
  }
  return { ...first, subtasks: { items, nextCursor: null } };
}
