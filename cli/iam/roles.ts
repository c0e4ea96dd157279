import type { Command } from 'commander';
import type IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import type { Api } from '../client/api.js';
import { leaf, list, type Ctx } from '../client/command.js';
import { CliError, usageError } from '../client/errors.js';

type CustomRole = IamPolicyManagementV1.CustomRole;
type Row = { name: string; display_name: string; kind: string; crn: string | undefined; description: string | undefined; actions: string[] };

/** A custom role by ID, or by name (or display name) among the account's custom roles. */
async function customRole(api: Api, nameOrId: string): Promise<{ role: CustomRole; etag: string }> {
  const { result } = await api.policies.listRoles({ accountId: api.accountId });
  const lower = nameOrId.toLowerCase();
  const found = (result.custom_roles ?? []).filter((r) => r.id === nameOrId || r.name.toLowerCase() === lower || r.display_name.toLowerCase() === lower);
  if (found.length !== 1) throw new CliError(found.length ? `Several custom roles match '${nameOrId}': use the ID.` : `Custom role '${nameOrId}' was not found.`);
  const response = await api.policies.getRole({ roleId: found[0]!.id! });
  return { role: response.result, etag: (response.headers as Record<string, string>).etag ?? '*' };
}

const showRole = (ctx: Ctx, r: CustomRole) =>
  ctx.out.result(r, () =>
    ctx.out.fields([
      ['Name', r.name],
      ['ID', r.id],
      ['Display Name', r.display_name],
      ['Service', r.service_name],
      ['Description', r.description],
      ['CRN', r.crn],
      ['Actions', r.actions.join(', ')],
    ]),
  );

/** `iam roles`, `role`, `role-create/-update/-delete` (custom roles). */
export function registerRoles(iam: Command): void {
  leaf(iam, { name: 'roles', description: 'list the roles of a service (platform, service and custom roles)', example: 'portcullis iam roles --service cloud-object-storage', flags: (c) => c.option('--service <name>', 'service whose roles to list') }, async (ctx, _args, flags) => {
    const serviceName = flags.service as string | undefined;
    ctx.out.progress(`Getting roles${serviceName ? ` of service ${serviceName}` : ''}...`);
    const { result } = await ctx.api.policies.listRoles({ accountId: ctx.api.accountId, ...(serviceName && { serviceName }) });
    const rows: Row[] = [
      ...(result.system_roles ?? []).map((r) => ({ name: r.display_name, display_name: r.display_name, kind: 'platform', crn: r.crn, description: r.description, actions: r.actions })),
      ...(result.service_roles ?? []).map((r) => ({ name: r.display_name, display_name: r.display_name, kind: 'service', crn: r.crn, description: r.description, actions: r.actions })),
      ...(result.custom_roles ?? []).map((r) => ({ name: r.name, display_name: r.display_name, kind: 'custom', crn: r.crn, description: r.description, actions: r.actions })),
    ];
    ctx.out.ok();
    ctx.out.list(rows, [['Name', (r) => r.display_name], ['Type', (r) => r.kind], ['CRN', (r) => r.crn], ['Description', (r) => r.description]], 'No role found.');
  });

  leaf(iam, { name: 'role <name-or-id>', description: 'show a custom role', example: 'portcullis iam role Deployer' }, async (ctx, args) => {
    showRole(ctx, (await customRole(ctx.api, args[0]!)).role);
  });

  leaf(
    iam,
    {
      name: 'role-create <name> <display-name> <service-name>',
      description: 'create a custom role of a service',
      example: 'portcullis iam role-create Deployer "Deployer" cloud-object-storage --actions cloud-object-storage.object.put',
      flags: (c) => c.option('-d, --description <text>', 'description').option('--actions <actions>', 'comma-separated actions'),
    },
    async (ctx, args, flags) => {
      const actions = list(flags.actions as string | undefined);
      if (actions.length === 0) throw usageError('Pass --actions ACTION1,ACTION2.');
      ctx.out.progress(`Creating custom role ${args[0]} for service ${args[2]}...`);
      const { result } = await ctx.api.policies.createRole({
        name: args[0]!,
        displayName: args[1]!,
        serviceName: args[2]!,
        accountId: ctx.api.accountId,
        actions,
        ...(typeof flags.description === 'string' && { description: flags.description }),
      });
      ctx.out.ok();
      showRole(ctx, result);
    },
  );

  leaf(
    iam,
    {
      name: 'role-update <name-or-id>',
      description: 'change a custom role',
      example: 'portcullis iam role-update Deployer --actions cloud-object-storage.object.put,cloud-object-storage.object.get',
      flags: (c) => c.option('--display-name <name>', 'display name').option('-d, --description <text>', 'description').option('--actions <actions>', 'comma-separated actions (replace the current ones)'),
    },
    async (ctx, args, flags) => {
      const { role, etag } = await customRole(ctx.api, args[0]!);
      ctx.out.progress(`Updating custom role ${role.name}...`);
      const { result } = await ctx.api.policies.replaceRole({
        roleId: role.id!,
        ifMatch: etag,
        displayName: typeof flags.displayName === 'string' ? flags.displayName : role.display_name,
        actions: typeof flags.actions === 'string' ? list(flags.actions) : role.actions,
        ...((typeof flags.description === 'string' || role.description) && { description: (flags.description as string | undefined) ?? role.description }),
      });
      ctx.out.ok();
      showRole(ctx, result);
    },
  );

  leaf(iam, { name: 'role-delete <name-or-id>', description: 'delete a custom role', example: 'portcullis iam role-delete Deployer -f', destructive: true }, async (ctx, args) => {
    const { role } = await customRole(ctx.api, args[0]!);
    await ctx.confirm(`Are you sure you want to delete custom role ${role.name}?`);
    ctx.out.progress(`Deleting custom role ${role.name}...`);
    await ctx.api.policies.deleteRole({ roleId: role.id! });
    ctx.out.ok();
    ctx.out.result({ id: role.id, name: role.name, deleted: true }, () => ctx.out.message(`Custom role ${role.name} deleted.`));
  });
}
