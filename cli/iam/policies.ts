import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import type { Api } from '../client/api.js';
import { leaf, list, type Ctx, type Flags } from '../client/command.js';
import { CliError, usageError } from '../client/errors.js';
import { accessGroup, allPolicies, serviceId, user } from './resolve.js';
import { roleIds } from './roles-lookup.js';
import { profile } from './trusted-profiles.js';

type Policy = IamPolicyManagementV1.Policy;
type Attribute = { name: string; value: string; operator?: string };

/**
 * Access policies of a user, a service ID or an access group (`user-policy-*`, `service-policy-*`,
 * `access-group-policy-*`), with IBM's flags: the scope from --service-name, --service-instance,
 * --region, --resource-type, --resource, --resource-group-name/-id, --attributes or
 * --account-management, the roles from --roles, or the whole policy from --file (JSON).
 */
interface Subject {
  /** e.g. `user-policy`. */
  prefix: string;
  /** The argument naming the subject, e.g. `<user>`. */
  arg: string;
  example: string;
  resolve(api: Api, arg: string): Promise<{ attribute: Attribute; filter: { iamId: string } | { accessGroupId: string }; label: string }>;
}

const SUBJECTS: Subject[] = [
  {
    prefix: 'user-policy',
    arg: '<user>',
    example: 'alice@example.com',
    resolve: async (api, arg) => {
      const u = await user(api, arg);
      return { attribute: { name: 'iam_id', value: u.iam_id! }, filter: { iamId: u.iam_id! }, label: `user ${u.user_id ?? u.iam_id}` };
    },
  },
  {
    prefix: 'service-policy',
    arg: '<service-id>',
    example: 'ci-deployer',
    resolve: async (api, arg) => {
      const s = await serviceId(api, arg);
      return { attribute: { name: 'iam_id', value: s.iam_id }, filter: { iamId: s.iam_id }, label: `service ID ${s.name}` };
    },
  },
  {
    prefix: 'access-group-policy',
    arg: '<group>',
    example: 'developers',
    resolve: async (api, arg) => {
      const g = await accessGroup(api, arg);
      return { attribute: { name: 'access_group_id', value: g.id! }, filter: { accessGroupId: g.id! }, label: `access group ${g.name}` };
    },
  },
  {
    prefix: 'trusted-profile-policy',
    arg: '<profile>',
    example: 'ci-runner',
    resolve: async (api, arg) => {
      const p = await profile(api, arg);
      return { attribute: { name: 'iam_id', value: p.iam_id }, filter: { iamId: p.iam_id }, label: `trusted profile ${p.name}` };
    },
  },
];

const scopeFlags = (c: Command): Command =>
  c
    .option('--roles <names>', 'comma-separated role names (e.g. Viewer,Writer) or role CRNs')
    .option('--service-name <name>', 'service the policy applies to')
    .option('--service-instance <guid>', 'service instance')
    .option('--region <region>', 'region')
    .option('--resource-type <type>', 'resource type')
    .option('--resource <resource>', 'resource')
    .option('--resource-group-name <name>', 'resource group, by name')
    .option('--resource-group-id <id>', 'resource group, by ID')
    .option('--attributes <name=value,...>', 'further resource attributes')
    .option('--account-management', 'all account-management services')
    .option('--file <file>', 'the policy as JSON ({"roles": [...], "resources": [...]}); @file accepted');

const RESOURCE_FLAGS: [flag: string, attribute: string][] = [
  ['serviceName', 'serviceName'],
  ['serviceInstance', 'serviceInstance'],
  ['region', 'region'],
  ['resourceType', 'resourceType'],
  ['resource', 'resource'],
  ['resourceGroupId', 'resourceGroupId'],
];

const hasScopeFlags = (flags: Flags) =>
  RESOURCE_FLAGS.some(([flag]) => typeof flags[flag] === 'string') || typeof flags.resourceGroupName === 'string' || typeof flags.attributes === 'string' || flags.accountManagement === true;

/** `name=value,name=value` → attributes. */
export function parseAttributes(text: string): Attribute[] {
  return list(text).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`--attributes takes name=value pairs; '${pair}' is not one.`);
    return { name: pair.slice(0, at), value: pair.slice(at + 1) };
  });
}

/** The resource attributes of the flags, in the current account. */
export async function resourceOf(api: Api, flags: Flags): Promise<Attribute[]> {
  const attributes: Attribute[] = [{ name: 'accountId', value: api.accountId }];
  for (const [flag, name] of RESOURCE_FLAGS) if (typeof flags[flag] === 'string') attributes.push({ name, value: flags[flag] as string });
  if (typeof flags.resourceGroupName === 'string') {
    const { result } = await api.resources.listResourceGroups({ accountId: api.accountId, name: flags.resourceGroupName });
    const group = result.resources?.find((g) => g.name === flags.resourceGroupName);
    if (!group?.id) throw new CliError(`Resource group '${flags.resourceGroupName}' was not found.`);
    attributes.push({ name: 'resourceGroupId', value: group.id });
  }
  if (flags.accountManagement === true) attributes.push({ name: 'serviceType', value: 'platform_service' });
  if (typeof flags.attributes === 'string') attributes.push(...parseAttributes(flags.attributes));
  return attributes;
}

function readPolicyFile(file: string): { roles?: { role_id: string }[]; resources?: { attributes: Attribute[] }[]; description?: string } {
  const path = file.startsWith('@') ? file.slice(1) : file;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw usageError(`Cannot read the policy file ${path}: ${(error as Error).message}`);
  }
}

/** Roles and resources from --file, or from the flags (each part falling back to `current`). */
async function bodyOf(api: Api, flags: Flags, current?: Policy): Promise<{ roles: { role_id: string }[]; resources: { attributes: Attribute[] }[]; description?: string }> {
  if (typeof flags.file === 'string') {
    const file = readPolicyFile(flags.file);
    if (!file.roles?.length || !file.resources?.length) throw usageError('The policy file needs "roles" and "resources".');
    return { roles: file.roles, resources: file.resources, ...(file.description && { description: file.description }) };
  }
  const resources = hasScopeFlags(flags) || !current ? [{ attributes: await resourceOf(api, flags) }] : (current.resources as { attributes: Attribute[] }[]);
  const serviceName = resources[0]?.attributes.find((a) => a.name === 'serviceName')?.value;
  const roles =
    typeof flags.roles === 'string' || !current
      ? await roleIds(api, list(flags.roles as string | undefined), serviceName)
      : (current.roles ?? []).map((r) => ({ role_id: r.role_id }));
  return { roles, resources, ...(current?.description && { description: current.description }) };
}

export const roleNames = (p: Policy): string => (p.roles ?? []).map((r) => r.display_name ?? r.role_id).join(', ');

/** A policy as IBM's CLI prints one: its id, roles and resource attributes. */
export function showPolicy(ctx: Ctx, p: Policy): void {
  const attributes = (p.resources ?? []).flatMap((r) => r.attributes ?? []);
  const subjects = (p.subjects ?? []).flatMap((s) => s.attributes ?? []);
  ctx.out.fields([
    ['Policy ID:', p.id],
    ['Type:', p.type],
    ['Subject:', subjects.map((a) => `${a.name}=${a.value}`).join(', ')],
    ['Roles:', roleNames(p)],
    ['Resources:', attributes.map((a) => `${a.name}${a.operator && a.operator !== 'stringEquals' ? ` ${a.operator}` : ''}=${a.value}`).join(', ')],
    ['Description:', p.description],
  ]);
}

export function showPolicies(ctx: Ctx, policies: Policy[], none: string): void {
  ctx.out.result(policies, () => {
    if (policies.length === 0) ctx.out.message(none);
    policies.forEach((p, i) => {
      if (i > 0) ctx.out.message('');
      showPolicy(ctx, p);
    });
  });
}

/** The policy and its ETag; one of another subject answers like a missing one. */
async function policyOf(api: Api, id: string, subject: Attribute): Promise<{ policy: Policy; etag: string }> {
  const response = await api.policies.getPolicy({ policyId: id });
  const matches = (response.result.subjects ?? []).some((s) => (s.attributes ?? []).some((a) => a.name === subject.name && a.value === subject.value));
  if (!matches) throw new CliError(`Policy ${id} is not a policy of this subject.`);
  return { policy: response.result as Policy, etag: (response.headers as Record<string, string>).etag ?? '*' };
}

function register(iam: Command, s: Subject): void {
  const p = s.prefix;
  const arg = s.arg;
  leaf(iam, { name: `${p.replace(/y$/, 'ies')} ${arg}`, description: `list the policies of a ${arg.slice(1, -1)}`, example: `portcullis iam ${p.replace(/y$/, 'ies')} ${s.example}` }, async (ctx, args) => {
    const subject = await s.resolve(ctx.api, args[0]!);
    ctx.out.progress(`Getting policies of ${subject.label}...`);
    const policies = await allPolicies(ctx.api, { type: 'access', ...subject.filter });
    ctx.out.ok();
    showPolicies(ctx, policies, 'No policy found.');
  });

  leaf(iam, { name: `${p} ${arg} <policy-id>`, description: 'show a policy', example: `portcullis iam ${p} ${s.example} 0a1b2c…` }, async (ctx, args) => {
    const subject = await s.resolve(ctx.api, args[0]!);
    const { policy } = await policyOf(ctx.api, args[1]!, subject.attribute);
    ctx.out.result(policy, () => showPolicy(ctx, policy));
  });

  leaf(
    iam,
    { name: `${p}-create ${arg}`, description: 'give a policy', example: `portcullis iam ${p}-create ${s.example} --roles Viewer,Writer --service-name cloud-object-storage`, flags: scopeFlags },
    async (ctx, args, flags) => {
      const subject = await s.resolve(ctx.api, args[0]!);
      const body = await bodyOf(ctx.api, flags);
      ctx.out.progress(`Creating policy under ${subject.label}...`);
      const { result } = await ctx.api.policies.createPolicy({ type: 'access', subjects: [{ attributes: [subject.attribute] }], ...body });
      ctx.out.ok();
      ctx.out.result(result, () => showPolicy(ctx, result));
    },
  );

  leaf(
    iam,
    {
      name: `${p}-update ${arg} <policy-id>`,
      description: "replace a policy's roles and/or scope",
      example: `portcullis iam ${p}-update ${s.example} 0a1b2c… --roles Editor`,
      flags: scopeFlags,
    },
    async (ctx, args, flags) => {
      const subject = await s.resolve(ctx.api, args[0]!);
      const { policy, etag } = await policyOf(ctx.api, args[1]!, subject.attribute);
      const body = await bodyOf(ctx.api, flags, policy);
      ctx.out.progress(`Updating policy ${policy.id} of ${subject.label}...`);
      const { result } = await ctx.api.policies.replacePolicy({ policyId: policy.id!, ifMatch: etag, type: 'access', subjects: [{ attributes: [subject.attribute] }], ...body });
      ctx.out.ok();
      ctx.out.result(result, () => showPolicy(ctx, result));
    },
  );

  leaf(iam, { name: `${p}-delete ${arg} <policy-id>`, description: 'delete a policy', example: `portcullis iam ${p}-delete ${s.example} 0a1b2c… -f`, destructive: true }, async (ctx, args) => {
    const subject = await s.resolve(ctx.api, args[0]!);
    const { policy } = await policyOf(ctx.api, args[1]!, subject.attribute);
    await ctx.confirm(`Are you sure you want to delete policy ${policy.id} of ${subject.label}?`);
    ctx.out.progress(`Deleting policy ${policy.id}...`);
    await ctx.api.policies.deletePolicy({ policyId: policy.id! });
    ctx.out.ok();
    ctx.out.result({ id: policy.id, deleted: true }, () => ctx.out.message(`Policy ${policy.id} deleted.`));
  });
}

/** `iam user-policies`, `service-policies`, `access-group-policies`, `trusted-profile-policies` and their -create/-update/-delete. */
export function registerPolicies(iam: Command): void {
  for (const s of SUBJECTS) register(iam, s);
}
