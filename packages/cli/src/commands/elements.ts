import type { Command } from 'commander';
import { paginate } from '@quarry/client';
import type { FileElement } from '@quarry/protocol';
import { humanBytes } from '../format/bytes.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';
import { MSG } from '../messages.js';
import type { Runner } from './runner.js';

interface ElementsOptions {
  name?: string;
  path?: string;
  hash?: string;
  endpoint?: string;
  limit?: number;
}

/** Most elements printed unless --all; searches over many endpoints can match a lot. */
const DEFAULT_SHOWN = 1000;

export function registerElementsCommand(program: Command, run: Runner): void {
  program
    .command('elements')
    .description('search files found by sweeps, across endpoints; retrieve one with: quarry retrieve --element ID')
    .option('--name <glob>', 'file name or name glob, e.g. "invoice*.js" (case-insensitive)')
    .option('--path <text|glob>', 'path substring, or a glob when it has * or ?')
    .option('--hash <md5|sha1|sha256>', 'files with this hash')
    .option('--endpoint <id|hostname>', 'only this endpoint')
    .action(
      run<ElementsOptions>(async (ctx, opts) => {
        const client = ctx.client();
        const items: FileElement[] = [];
        const query = { name: opts.name, path: opts.path, hash: opts.hash, endpointId: opts.endpoint };
        for await (const e of paginate((cursor) => client.listElements({ ...query, limit: 500, cursor }))) {
          items.push(e);
          if (items.length >= DEFAULT_SHOWN) break;
        }
        if (ctx.json) return ctx.printJson(items);
        if (items.length === 0) return ctx.out(MSG.empty('elements'));
        ctx.out(
          renderTable(
            ['ID', 'HOSTNAME', 'PATH', 'SIZE', 'SHA256', 'LAST SEEN'],
            items.map((e) => [String(e.id), e.hostname, e.path, humanBytes(e.size), e.sha256, formatTimestamp(e.lastSeenAt)]),
          ),
        );
      }),
    );
}
