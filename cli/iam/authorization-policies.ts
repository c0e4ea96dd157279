import type { Command } from 'commander';
import { leaf, list } from '../client/command.js';
import { showPolicies, showPolicy } from './policies.js';
import { allPolicies } from './resolve.js';
import { roleIds } from './roles-lookup.js';

/** `iam authorization-policies`, `authorization-policy`, `-create`, `-delete`: service-to-service grants. */
export function registerAuthorizationPolicies(iam: Command): void {
  leaf(iam, { name: 'authorization-policies', description: 'list the authorization policies of the account', example: 'portcullis iam authorization-policies' }, async (ctx) => {
    ctx.out.progress(`Getting authorization policies in account ${ctx.api.accountId}...`);
    const policies = await allPolicies(ctx.api, { type: 'authorization' });
    ctx.out.ok();
    showPolicies(ctx, policies, 'No authorization policy found.');
  });

  leaf(iam, { name: 'authorization-policy <policy-id>', description: 'show an authorization policy', example: 'portcullis iam authorization-policy 0a1b2c…' }, async (ctx, args) => {
    const { result } = await ctx.api.policies.getPolicy({ policyId: args[0]! });
    ctx.out.result(result, () => showPolicy(ctx, result));
  });

  leaf(
    iam,
    {
      name: 'authorization-policy-create <source-service-name> <target-service-name> <roles>',
      description: 'let a source service act on a target service with roles',
      example: 'portcullis iam authorization-policy-create cloud-object-storage kms Reader --target-service-instance-id 1234…',
      flags: (c) =>
        c
          .option('--source-service-instance-id <id>', 'only this instance of the source service')
          .option('--target-service-instance-id <id>', 'only this instance of the target service')
          .option('--source-resource-type <type>', 'source resource type')
          .option('--target-resource-type <type>', 'target resource type')
          .option('--source-resource-group-id <id>', 'source resource group')
          .option('--target-resource-group-id <id>', 'target resource group'),
    },
    async (ctx, args, flags) => {
      const [source, target, roles] = args as [string, string, string];
      const side = (prefix: 'source' | 'target', serviceName: string) => {
        const attributes = [
          { name: 'accountId', value: ctx.api.accountId },
          { name: 'serviceName', value: serviceName },
        ];
        const add = (flag: string, name: string) => typeof flags[`${prefix}${flag}`] === 'string' && attributes.push({ name, value: flags[`${prefix}${flag}`] as string });
        add('ServiceInstanceId', 'serviceInstance');
        add('ResourceType', 'resourceType');
        add('ResourceGroupId', 'resourceGroupId');
        return attributes;
      };
      ctx.out.progress(`Creating authorization policy from ${source} to ${target}...`);
      const { result } = await ctx.api.policies.createPolicy({
        type: 'authorization',
        subjects: [{ attributes: side('source', source) }],
        roles: await roleIds(ctx.api, list(roles), target),
        resources: [{ attributes: side('target', target) }],
      });
      ctx.out.ok();
      ctx.out.result(result, () => showPolicy(ctx, result));
    },
  );

  leaf(iam, { name: 'authorization-policy-delete <policy-id>', description: 'delete an authorization policy', example: 'portcullis iam authorization-policy-delete 0a1b2c… -f', destructive: true }, async (ctx, args) => {
    await ctx.confirm(`Are you sure you want to delete authorization policy ${args[0]}?`);
    ctx.out.progress(`Deleting authorization policy ${args[0]}...`);
    await ctx.api.policies.deletePolicy({ policyId: args[0]! });
    ctx.out.ok();
    ctx.out.result({ id: args[0], deleted: true }, () => ctx.out.message(`Authorization policy ${args[0]} deleted.`));
  });
}
