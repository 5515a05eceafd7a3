import type { Command } from 'commander';
import type { AuditEvent } from '@quarry/protocol';
import { paginate } from '@quarry/client';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';
import { MSG } from '../messages.js';
import { parsePositiveInt } from '../parse-args.js';
import type { Runner } from './runner.js';

const DEFAULT_LIMIT = 50;
const MAX_PAGE = 500;

interface AuditOptions {
  limit: number;
}

export function registerAuditCommand(program: Command, run: Runner): void {
  program
    .command('audit')
    .description('show the most recent audit events')
    .option('--limit <n>', 'how many events', parsePositiveInt, DEFAULT_LIMIT)
    .action(
      run<AuditOptions>(async (ctx, opts) => {
        const client = ctx.client();
        const items: AuditEvent[] = [];
        for await (const e of paginate((cursor) => client.listAudit({ limit: Math.min(opts.limit, MAX_PAGE), cursor }))) {
          items.push(e);
          if (items.length >= opts.limit) break;
        }
        if (ctx.json) return ctx.printJson(items);
        if (items.length === 0) return ctx.out(MSG.empty('audit events'));
        ctx.out(
          renderTable(
            ['AT', 'ACTOR', 'ACTION', 'TARGET', 'IP'],
            items.map((e) => [
              formatTimestamp(e.at),
              `${e.actorType}:${e.actorId}`,
              e.action,
              e.targetType ? `${e.targetType}:${e.targetId ?? ''}` : '-',
              e.ip ?? '-',
            ]),
          ),
        );
      }),
    );
}
