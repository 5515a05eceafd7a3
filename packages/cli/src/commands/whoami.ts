import type { Command } from 'commander';
import { renderPairs } from '../format/table.js';
import type { Runner } from './runner.js';

export function registerWhoamiCommand(program: Command, run: Runner): void {
  program
    .command('whoami')
    .description('show the credential in use and its permissions')
    .action(
      run(async (ctx) => {
        const me = await ctx.client().me();
        if (ctx.json) return ctx.printJson(me);
        ctx.out(
          renderPairs([
            ['id', me.id],
            ['name', me.name],
            ['role', me.role],
            ['download', me.canDownload ? 'yes' : 'no'],
            ['permissions', me.permissions.join(', ')],
          ]),
        );
      }),
    );
}
