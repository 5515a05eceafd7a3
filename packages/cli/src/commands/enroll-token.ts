import type { Command } from 'commander';
import type { EnrollToken } from '@quarry/protocol';
import { paginate } from '@quarry/client';
import { renderPairs, renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';
import { MSG } from '../messages.js';
import { parsePositiveInt } from '../parse-args.js';
import type { Runner } from './runner.js';

interface CreateOptions {
  description?: string;
  maxUses?: number;
  expiresIn?: number;
}

export function registerEnrollTokenCommands(program: Command, run: Runner): void {
  const group = program.command('enroll-token').description('manage agent enrolment tokens');
  group
    .command('create')
    .description('create a token agents use to enrol (shown once)')
    .option('--description <text>', 'what the token is for')
    .option('--max-uses <n>', 'how many agents may enrol with it (default: unlimited)', parsePositiveInt)
    .option('--expires-in <seconds>', 'lifetime in seconds (default: 1 day)', parsePositiveInt)
    .action(
      run<CreateOptions>(async (ctx, opts) => {
        const token = await ctx.client().createEnrollToken({
          description: opts.description,
          maxUses: opts.maxUses,
          expiresInSeconds: opts.expiresIn,
        });
        if (ctx.json) return ctx.printJson(token);
        ctx.out(renderPairs([['token', token.token ?? ''], ['id', token.id], ['expires', formatTimestamp(token.expiresAt)]]));
        ctx.err(MSG.tokenOnce);
      }),
    );
  group
    .command('list')
    .description('list enrolment tokens')
    .action(
      run(async (ctx) => {
        const client = ctx.client();
        const items: EnrollToken[] = [];
        for await (const t of paginate((cursor) => client.listEnrollTokens({ cursor }))) items.push(t);
        if (ctx.json) return ctx.printJson(items);
        if (items.length === 0) return ctx.out(MSG.empty('enrolment tokens'));
        const now = ctx.io.now();
        ctx.out(
          renderTable(
            ['ID', 'DESCRIPTION', 'USES', 'EXPIRES', 'STATUS'],
            items.map((t) => [t.id, t.description, `${t.uses}/${t.maxUses ?? '∞'}`, formatTimestamp(t.expiresAt), tokenStatus(t, now)]),
          ),
        );
      }),
    );
  group
    .command('revoke')
    .description('revoke an enrolment token')
    .argument('<id>')
    .action(
      run(async (ctx, _opts, [arg]) => {
        const id = String(arg);
        const token = await ctx.client().revokeEnrollToken(id);
        if (ctx.json) return ctx.printJson(token);
        ctx.out(MSG.revokedToken(id));
      }),
    );
}

function tokenStatus(t: EnrollToken, now: number): string {
  if (t.revokedAt) return 'revoked';
  if (Date.parse(t.expiresAt) <= now) return 'expired';
  if (t.maxUses !== null && t.uses >= t.maxUses) return 'used up';
  return 'active';
}
