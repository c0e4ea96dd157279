import type { Command } from 'commander';
import type IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import { leaf, type Ctx } from '../client/command.js';
import type { Column } from '../client/output.js';
import { serviceId, serviceIds } from './resolve.js';

type ServiceId = IamIdentityV1.ServiceId;

const COLUMNS: Column<ServiceId>[] = [
  ['ID', (s) => s.id],
  ['Name', (s) => s.name],
  ['Created At', (s) => s.created_at],
  ['Last Updated', (s) => s.modified_at],
  ['Description', (s) => s.description],
  ['Locked', (s) => s.locked],
];

const show = (ctx: Ctx, s: ServiceId) =>
  ctx.out.result(s, () =>
    ctx.out.fields([
      ['ID', s.id],
      ['Name', s.name],
      ['IAM ID', s.iam_id],
      ['Description', s.description],
      ['CRN', s.crn],
      ['Created At', s.created_at],
      ['Last Updated', s.modified_at],
      ['Locked', s.locked],
    ]),
  );

/** `iam service-ids`, `service-id`, `service-id-create/-update/-delete/-lock/-unlock`. */
export function registerServiceIds(iam: Command): void {
  leaf(iam, { name: 'service-ids', description: 'list the service IDs of the account', example: 'portcullis iam service-ids --output json', flags: (c) => c.option('--uuid', 'print only the IDs') }, async (ctx, _args, flags) => {
    ctx.out.progress(`Getting service IDs in account ${ctx.api.accountId}...`);
    const all = await serviceIds(ctx.api);
    ctx.out.ok();
    if (flags.uuid && !ctx.out.json) for (const s of all) ctx.out.message(s.id);
    else ctx.out.list(all, COLUMNS, 'No service ID found.');
  });

  leaf(iam, { name: 'service-id <name-or-id>', description: 'show a service ID', example: 'portcullis iam service-id ci-deployer', flags: (c) => c.option('--uuid', 'print only the ID') }, async (ctx, args, flags) => {
    const s = await serviceId(ctx.api, args[0]!);
    if (flags.uuid && !ctx.out.json) ctx.out.message(s.id);
    else show(ctx, s);
  });

  leaf(
    iam,
    {
      name: 'service-id-create <name>',
      description: 'create a service ID',
      example: 'portcullis iam service-id-create ci-deployer -d "deploys from CI"',
      flags: (c) => c.option('-d, --description <text>', 'description').option('--lock', 'lock it against changes and deletion'),
    },
    async (ctx, args, flags) => {
      ctx.out.progress(`Creating service ID ${args[0]} in account ${ctx.api.accountId}...`);
      const { result } = await ctx.api.identity.createServiceId({
        accountId: ctx.api.accountId,
        name: args[0]!,
        ...(typeof flags.description === 'string' && { description: flags.description }),
        entityLock: flags.lock ? 'true' : 'false',
      });
      ctx.out.ok();
      show(ctx, result);
    },
  );

  leaf(
    iam,
    {
      name: 'service-id-update <name-or-id>',
      description: "change a service ID's name or description",
      example: 'portcullis iam service-id-update ci-deployer -n ci-deployer-2',
      flags: (c) => c.option('-n, --name <name>', 'new name').option('-d, --description <text>', 'new description'),
    },
    async (ctx, args, flags) => {
      const s = await serviceId(ctx.api, args[0]!);
      ctx.out.progress(`Updating service ID ${s.name}...`);
      const { result } = await ctx.api.identity.updateServiceId({
        id: s.id,
        ifMatch: s.entity_tag ?? '*',
        ...(typeof flags.name === 'string' && { name: flags.name }),
        ...(typeof flags.description === 'string' && { description: flags.description }),
      });
      ctx.out.ok();
      show(ctx, result);
    },
  );

  const change = (verb: string, gerund: string, past: string, call: (ctx: Ctx, id: string) => Promise<unknown>) =>
    leaf(iam, { name: `service-id-${verb} <name-or-id>`, description: `${verb} a service ID`, example: `portcullis iam service-id-${verb} ci-deployer -f`, destructive: true }, async (ctx, args) => {
      const s = await serviceId(ctx.api, args[0]!);
      await ctx.confirm(`Are you sure you want to ${verb} service ID ${s.name} (${s.id})?`);
      ctx.out.progress(`${gerund} service ID ${s.name}...`);
      await call(ctx, s.id);
      ctx.out.ok();
      ctx.out.result({ id: s.id, name: s.name, [past]: true }, () => ctx.out.message(`Service ID ${s.name} ${past}.`));
    });
  change('delete', 'Deleting', 'deleted', (ctx, id) => ctx.api.identity.deleteServiceId({ id }));
  change('lock', 'Locking', 'locked', (ctx, id) => ctx.api.identity.lockServiceId({ id }));
  change('unlock', 'Unlocking', 'unlocked', (ctx, id) => ctx.api.identity.unlockServiceId({ id }));
}
