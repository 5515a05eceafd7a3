import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ListFilesQuery, RetrievedFile } from '@quarry/protocol';
import { paginate } from '@quarry/client';
import { humanBytes } from '../format/bytes.js';
import { renderFileReport } from '../format/file-report.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';
import { MSG } from '../messages.js';
import { parseId } from '../parse-args.js';
import { EXIT_FAILURE, EXIT_OK } from '../report-error.js';
import { downloadFiles } from '../retrieve/download-files.js';
import { formatFailure } from '../retrieve/failures.js';
import { planDownloads } from '../retrieve/plan-downloads.js';
import { createProgressView } from '../retrieve/progress-view.js';
import type { Runner } from './runner.js';

interface ListOptions {
  task?: number;
  endpoint?: string;
  hash?: string;
}

export function registerFileCommands(program: Command, run: Runner): void {
  const group = program.command('files').description('list and download retrieved files');
  group
    .command('list')
    .description('list retrieved files')
    .option('--task <id>', 'only files of this task', parseId)
    .option('--endpoint <id|hostname>', 'only files from this endpoint')
    .option('--hash <md5|sha1|sha256>', 'only files with this hash')
    .action(
      run<ListOptions>(async (ctx, opts) => {
        const client = ctx.client();
        const query: ListFilesQuery = { taskId: opts.task, endpointId: opts.endpoint, hash: opts.hash };
        const items: RetrievedFile[] = [];
        for await (const f of paginate((cursor) => client.listFiles({ ...query, cursor }))) items.push(f);
        if (ctx.json) return ctx.printJson(items);
        if (items.length === 0) return ctx.out(MSG.empty('files'));
        ctx.out(
          renderTable(
            ['ID', 'TASK', 'HOSTNAME', 'PATH', 'SIZE', 'SHA256', 'RETRIEVED'],
            items.map((f) => [String(f.id), String(f.taskId), f.hostname, f.path, humanBytes(f.size), f.sha256, formatTimestamp(f.retrievedAt)]),
          ),
        );
      }),
    );
  group
    .command('download')
    .description('download one retrieved file and verify it')
    .argument('<id>', 'file id', parseId)
    .option('--out <path>', 'file or directory to save to (default: ./<hostname>_<name>)')
    .option('--zip', 'download as password-protected zip (password printed)')
    .action(
      run<{ out?: string; zip?: boolean }>(async (ctx, opts, [id]) => {
        const client = ctx.client();
        const file = await client.getFile(Number(id));
        const outIsDirectory = opts.out ? await stat(resolve(ctx.io.cwd, opts.out)).then((s) => s.isDirectory(), () => false) : false;
        const plan = planDownloads([file], { out: opts.out, cwd: ctx.io.cwd, single: true, zip: opts.zip === true, outIsDirectory });
        const view = createProgressView(ctx.io.stderr, !ctx.json && ctx.io.stderr.isTTY ? 'tty' : 'silent');
        const outcome = await downloadFiles(client, plan, { format: opts.zip ? 'zip' : 'raw', view });
        const saved = outcome.saved[0];
        if (ctx.json) ctx.printJson({ ok: saved !== undefined, file: saved ?? null, failures: outcome.failures });
        else if (saved) ctx.out(renderFileReport({ file: saved, savedTo: saved.savedTo, password: saved.password }));
        else for (const f of outcome.failures) ctx.err(formatFailure(f));
        return saved ? EXIT_OK : EXIT_FAILURE;
      }),
    );
}
