import { Option, type Command } from 'commander';
import { ROLES, type Credential, type Role } from '@quarry/protocol';
import { paginate } from '@quarry/client';
import { renderPairs, renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';
import { MSG } from '../messages.js';
import type { Runner } from './runner.js';

interface CreateOptions {
  name: string;
  role: Role;
  download: boolean;
}

export function registerCredentialCommands(program: Command, run: Runner): void {
  const group = program.command('credentials').description('manage API credentials');
  group
    .command('create')
    .description('create an API key (shown once)')
    .requiredOption('--name <name>', 'who or what uses the key')
    .addOption(new Option('--role <role>', 'what the key may do').choices(ROLES).makeOptionMandatory())
    .option('--no-download', 'may start retrievals but not read file contents')
    .action(
      run<CreateOptions>(async (ctx, opts) => {
        const credential = await ctx.client().createCredential({
          name: opts.name,
          role: opts.role,
          // Only sent when refused, so the server's role default applies otherwise.
          canDownload: opts.download === false ? false : undefined,
        });
        if (ctx.json) return ctx.printJson(credential);
        ctx.out(
          renderPairs([
            ['key', credential.key ?? ''],
            ['id', credential.id],
            ['role', credential.role],
            ['download', credential.canDownload ? 'yes' : 'no'],
          ]),
        );
        ctx.err(MSG.keyOnce);
      }),
    );
  group
    .command('list')
    .description('list API credentials')
    .action(
      run(async (ctx) => {
        const client = ctx.client();
        const items: Credential[] = [];
        for await (const c of paginate((cursor) => client.listCredentials({ cursor }))) items.push(c);
        if (ctx.json) return ctx.printJson(items);
        if (items.length === 0) return ctx.out(MSG.empty('credentials'));
        ctx.out(
          renderTable(
            ['ID', 'NAME', 'ROLE', 'DOWNLOAD', 'CREATED', 'LAST USED', 'STATUS'],
            items.map((c) => [
              c.id,
              c.name,
              c.role,
              c.canDownload ? 'yes' : 'no',
              formatTimestamp(c.createdAt),
              formatTimestamp(c.lastUsedAt),
              c.revokedAt ? 'revoked' : 'active',
            ]),
          ),
        );
      }),
    );
  group
    .command('revoke')
    .description('revoke an API credential')
    .argument('<id>')
    .action(
      run(async (ctx, _opts, [arg]) => {
        const id = String(arg);
        const credential = await ctx.client().revokeCredential(id);
        if (ctx.json) return ctx.printJson(credential);
        ctx.out(MSG.revokedCredential(id));
      }),
    );
}
