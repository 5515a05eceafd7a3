import { Option, type Command } from 'commander';
import { OS_FAMILIES, type Endpoint, type ListEndpointsQuery } from '@quarry/protocol';
import { paginate } from '@quarry/client';
import { renderTable } from '../format/table.js';
import { formatAge } from '../format/time.js';
import { MSG } from '../messages.js';
import type { Runner } from './runner.js';

interface EndpointsOptions {
  hostname?: string;
  os?: ListEndpointsQuery['os'];
  online?: boolean;
}

export function registerEndpointsCommand(program: Command, run: Runner): void {
  program
    .command('endpoints')
    .description('list enrolled endpoints')
    .option('--hostname <hostname>', 'only this hostname')
    .addOption(new Option('--os <os>', 'only this OS').choices(OS_FAMILIES))
    .option('--online', 'only endpoints online now')
    .action(
      run<EndpointsOptions>(async (ctx, opts) => {
        const client = ctx.client();
        const query: ListEndpointsQuery = { hostname: opts.hostname, os: opts.os, online: opts.online ? true : undefined };
        const items: Endpoint[] = [];
        for await (const e of paginate((cursor) => client.listEndpoints({ ...query, cursor }))) items.push(e);
        if (ctx.json) return ctx.printJson(items);
        if (items.length === 0) return ctx.out(MSG.empty('endpoints'));
        const now = ctx.io.now();
        ctx.out(
          renderTable(
            ['ID', 'HOSTNAME', 'OS', 'ONLINE', 'LAST SEEN'],
            items.map((e) => [e.id, e.hostname, e.os, e.online ? 'yes' : 'no', formatAge(e.lastSeenAt, now)]),
          ),
        );
      }),
    );
}
