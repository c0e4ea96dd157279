import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import { leaf, type Ctx, type Flags } from '../client/command.js';
import type { Column } from '../client/output.js';
import { apiKeyOf, apiKeysOf, serviceId } from './resolve.js';

/**
 * API keys of the logged-in user (`api-key-*`) and of service IDs (`service-api-key-*`): the same
 * operations, the owner being yourself or the service ID named by the last argument.
 */
type Key = IamIdentityV1.ApiKey;

const COLUMNS: Column<Key>[] = [
  ['ID', (k) => k.id],
  ['Name', (k) => k.name],
  ['Description', (k) => k.description],
  ['Created At', (k) => k.created_at],
  ['Locked', (k) => k.locked],
  ['Disabled', (k) => k.disabled ?? false],
];

const showKey = (ctx: Ctx, key: Key) =>
  ctx.out.result(key, () =>
    ctx.out.fields([
      ['ID', key.id],
      ['Name', key.name],
      ['Description', key.description],
      ['Owner', key.iam_id],
      ['CRN', key.crn],
      ['Created At', key.created_at],
      ['Locked', key.locked],
      ['Disabled', key.disabled ?? false],
      ['Expires At', key.expires_at],
    ]),
  );

interface Owner {
  /** `api-key` or `service-api-key`. */
  prefix: string;
  /** ` <service-id>` after the key argument, or nothing. */
  ownerArg: string;
  /** The owner's IAM ID and a label, from the command's owner argument (if any). */
  resolve(ctx: Ctx, ownerArg: string | undefined): Promise<{ iamId: string; label: string }>;
  example: string;
}

const USER: Owner = {
  prefix: 'api-key',
  ownerArg: '',
  resolve: async (ctx) => ({ iamId: ctx.api.connection.iamId, label: `user ${ctx.api.connection.iamId}` }),
  example: '',
};

const SERVICE: Owner = {
  prefix: 'service-api-key',
  ownerArg: ' <service-id>',
  resolve: async (ctx, arg) => {
    const id = await serviceId(ctx.api, arg!);
    return { iamId: id.iam_id, label: `service ID ${id.name}` };
  },
  example: ' ci-deployer',
};

function register(iam: Command, owner: Owner): void {
  const p = owner.prefix;
  const what = p === 'api-key' ? 'your API keys' : "a service ID's API keys";

  leaf(iam, { name: `${p}s${owner.ownerArg}`, description: `list ${what}`, example: `portcullis iam ${p}s${owner.example}` }, async (ctx, args) => {
    const { iamId, label } = await owner.resolve(ctx, args[0]);
    ctx.out.progress(`Getting API keys of ${label} in account ${ctx.api.accountId}...`);
    const keys = await apiKeysOf(ctx.api, iamId);
    ctx.out.ok();
    ctx.out.list(keys, COLUMNS, 'No API key found.');
  });

  leaf(iam, { name: `${p} <name-or-id>${owner.ownerArg}`, description: 'show an API key (never its value)', example: `portcullis iam ${p} deploy-key${owner.example}` }, async (ctx, args) => {
    const { iamId } = await owner.resolve(ctx, args[1]);
    const key = await apiKeyOf(ctx.api, iamId, args[0]!);
    showKey(ctx, key);
  });

  leaf(
    iam,
    {
      name: `${p}-create <name>${owner.ownerArg}`,
      description: 'create an API key; its value is shown once',
      example: `portcullis iam ${p}-create deploy-key${owner.example} -d "CI deploys" --file key.json`,
      flags: (c) =>
        c
          .option('-d, --description <text>', 'description')
          .option('--file <file>', 'also save the key (with its value) as JSON in this file (0600)')
          .option('--lock', 'lock the key against changes and deletion')
          .option('--action-if-leaked <action>', 'NONE, DISABLE or DELETE'),
    },
    async (ctx, args, flags) => {
      const { iamId, label } = await owner.resolve(ctx, args[1]);
      ctx.out.progress(`Creating API key ${args[0]} of ${label}...`);
      const { result } = await ctx.api.identity.createApiKey({
        name: args[0]!,
        iamId,
        accountId: ctx.api.accountId,
        ...(typeof flags.description === 'string' && { description: flags.description }),
        ...(typeof flags.actionIfLeaked === 'string' && { actionWhenLeaked: flags.actionIfLeaked }),
        entityLock: flags.lock ? 'true' : 'false',
      });
      if (typeof flags.file === 'string') writeFileSync(flags.file, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
      ctx.out.ok();
      ctx.out.progress("Preserve the API key! It cannot be retrieved after it's created.");
      ctx.out.result(result, () => ctx.out.fields([['ID', result.id], ['Name', result.name], ['Description', result.description], ['Created At', result.created_at], ['API Key', result.apikey], ['Locked', result.locked]]));
    },
  );

  leaf(
    iam,
    {
      name: `${p}-update <name-or-id>${owner.ownerArg}`,
      description: "change an API key's name or description",
      example: `portcullis iam ${p}-update deploy-key${owner.example} -n deploy-key-2 -d "rotated"`,
      flags: (c) => c.option('-n, --name <name>', 'new name').option('-d, --description <text>', 'new description'),
    },
    async (ctx, args, flags) => {
      const { iamId } = await owner.resolve(ctx, args[1]);
      const key = await apiKeyOf(ctx.api, iamId, args[0]!);
      ctx.out.progress(`Updating API key ${key.name}...`);
      const { result } = await ctx.api.identity.updateApiKey({
        id: key.id,
        ifMatch: key.entity_tag ?? '*',
        ...(typeof flags.name === 'string' && { name: flags.name }),
        ...(typeof flags.description === 'string' && { description: flags.description }),
      });
      ctx.out.ok();
      showKey(ctx, result);
    },
  );

  const stateChange = (verb: string, gerund: string, past: string, call: (ctx: Ctx, id: string) => Promise<unknown>, destructive: boolean) =>
    leaf(
      iam,
      { name: `${p}-${verb} <name-or-id>${owner.ownerArg}`, description: `${verb} an API key`, example: `portcullis iam ${p}-${verb} deploy-key${owner.example}${destructive ? ' -f' : ''}`, destructive },
      async (ctx, args, _flags: Flags) => {
        const { iamId } = await owner.resolve(ctx, args[1]);
        const key = await apiKeyOf(ctx.api, iamId, args[0]!);
        if (destructive) await ctx.confirm(`Are you sure you want to ${verb} API key ${key.name} (${key.id})?`);
        ctx.out.progress(`${gerund} API key ${key.name}...`);
        await call(ctx, key.id);
        ctx.out.ok();
        ctx.out.result({ id: key.id, name: key.name, [past]: true }, () => ctx.out.message(`API key ${key.name} ${past}.`));
      },
    );
  stateChange('delete', 'Deleting', 'deleted', (ctx, id) => ctx.api.identity.deleteApiKey({ id }), true);
  stateChange('lock', 'Locking', 'locked', (ctx, id) => ctx.api.identity.lockApiKey({ id }), true);
  stateChange('unlock', 'Unlocking', 'unlocked', (ctx, id) => ctx.api.identity.unlockApiKey({ id }), true);
  stateChange('disable', 'Disabling', 'disabled', (ctx, id) => ctx.api.identity.disableApiKey({ id }), true);
  stateChange('enable', 'Enabling', 'enabled', (ctx, id) => ctx.api.identity.enableApiKey({ id }), false);
}

/** `iam api-keys`, `api-key`, `api-key-create/-update/-delete/-lock/-unlock/-disable/-enable` and their `service-api-key` twins. */
export function registerApiKeys(iam: Command): void {
  register(iam, USER);
  register(iam, SERVICE);
}
