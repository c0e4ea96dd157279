import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { leaf } from '../client/command.js';
import { usageError } from '../client/errors.js';
import { fromYaml, toYaml } from './document.js';
import { plan } from './plan.js';
import { snapshot } from './snapshot.js';

const SIGN: Record<string, string> = { create: '+', invite: '+', add: '+', update: '~' };

/** `portcullis export` and `portcullis import`: an account as a reviewable YAML document, applied idempotently. */
export function registerTransfer(program: Command): void {
  leaf(
    program,
    {
      name: 'export',
      description: "write the account's identities (no secrets), access groups, rules, policies, custom roles and settings as YAML",
      example: 'portcullis export --file account.yaml',
      flags: (c) => c.option('--file <file>', 'write to this file instead of stdout'),
    },
    async (ctx, _args, flags) => {
      const { doc, skipped } = await snapshot(ctx.api);
      for (const s of skipped) process.stderr.write(`Not exported: ${s}\n`);
      if (ctx.out.json) return ctx.out.result(doc, () => undefined);
      const yaml = toYaml(doc);
      if (typeof flags.file === 'string') {
        writeFileSync(flags.file, yaml);
        ctx.out.progress(`Exported account ${ctx.api.accountId} to ${flags.file}`);
      } else process.stdout.write(yaml);
    },
  );

  leaf(
    program,
    {
      name: 'import <file>',
      description: 'make the current account hold what an exported document describes (creates and updates, never deletes)',
      example: 'portcullis import account.yaml --dry-run && portcullis import account.yaml -f',
      destructive: true,
      flags: (c) => c.option('--dry-run', 'show the plan and change nothing'),
    },
    async (ctx, args, flags) => {
      let text: string;
      try {
        text = readFileSync(args[0]!, 'utf8');
      } catch (error) {
        throw usageError(`Cannot read ${args[0]}: ${(error as Error).message}`);
      }
      const desired = fromYaml(text, args[0]!);
      ctx.out.progress(`Reading account ${ctx.api.accountId}...`);
      const { steps, unchanged } = plan(ctx.api, desired, await snapshot(ctx.api));
      const counts = (done: boolean) => ({
        create: steps.filter((s) => s.action !== 'update').length,
        update: steps.filter((s) => s.action === 'update').length,
        unchanged,
        applied: done,
      });
      const planned = steps.map((s) => ({ action: s.action, what: s.what }));
      if (!ctx.out.json) {
        ctx.out.message(steps.length ? `Plan for account ${ctx.api.accountId}:` : `Account ${ctx.api.accountId} already holds everything in ${args[0]}.`);
        for (const s of steps) ctx.out.message(`  ${SIGN[s.action]} ${s.action} ${s.what}`);
      }
      if (flags.dryRun || steps.length === 0) {
        const summary = counts(false);
        return ctx.out.result({ plan: planned, summary }, () => ctx.out.message(`${summary.create} to add, ${summary.update} to change, ${summary.unchanged} unchanged.${steps.length ? ' (dry run: nothing changed)' : ''}`));
      }
      await ctx.confirm(`Apply these ${steps.length} changes to account ${ctx.api.accountId}?`);
      for (const [i, s] of steps.entries()) {
        ctx.out.progress(`[${i + 1}/${steps.length}] ${s.action} ${s.what}`);
        await s.run();
      }
      ctx.out.ok();
      const summary = counts(true);
      ctx.out.result({ plan: planned, summary }, () => ctx.out.message(`${summary.create} added, ${summary.update} changed, ${summary.unchanged} unchanged.`));
    },
  );
}
