import type { Command } from 'commander';
import type { Api } from '../client/api.js';
import { leaf } from '../client/command.js';
import { CliError } from '../client/errors.js';
import { parseAttributes } from '../iam/policies.js';
import { accessGroups, serviceIds, serviceId, user, users } from '../iam/resolve.js';
import { profile, profiles } from '../iam/trusted-profiles.js';

/** An IAM ID as given, else the service ID, trusted profile or user of that name in the current account. */
async function subjectId(api: Api, given: string): Promise<string> {
  if (/^(IBMid-|iam-|crn-)/.test(given)) return given;
  if (given.startsWith('ServiceId-') || given.startsWith('Profile-')) return `iam-${given}`;
  for (const byName of [async () => (await serviceId(api, given)).iam_id, async () => (await profile(api, given)).iam_id]) {
    try {
      return await byName();
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
    }
  }
  return (await user(api, given)).iam_id!;
}

/** A CRN, or `name=value,…` resource attributes (the current account unless `accountId=` says otherwise). */
function resourceOf(api: Api, given: string): { crn: string } | { attributes: Record<string, string> } {
  if (given.startsWith('crn:')) return { crn: given };
  const attributes = Object.fromEntries(parseAttributes(given).map((a) => [a.name, a.value]));
  return { attributes: { accountId: api.accountId, ...attributes } };
}

/** Names of the account's identities and groups by IAM ID / group ID, so who-can prints names people know. */
async function namesOf(api: Api): Promise<Map<string, string>> {
  const [people, sids, groups, tps] = await Promise.all([users(api), serviceIds(api), accessGroups(api), profiles(api)]);
  return new Map<string, string>([
    ...people.flatMap((u) => (u.iam_id && u.user_id ? [[u.iam_id, u.user_id] as [string, string]] : [])),
    ...sids.map((s) => [s.iam_id, s.name] as [string, string]),
    ...groups.flatMap((g) => (g.id && g.name ? [[g.id, g.name] as [string, string]] : [])),
    ...tps.map((p) => [p.iam_id, p.name] as [string, string]),
  ]);
}

/**
 * `portcullis authz check`: asks the decision point (`POST /v2/authz`) whether a subject may
 * perform an action on a resource. A denial is an answer, not a failure: both exit 0; scripts read
 * `permitted` from `--output json`. `portcullis authz who-can` asks the reverse
 * (`POST /v2/authz/who-can`): who may.
 */
export function registerAuthz(program: Command): void {
  const authz = program.command('authz').description('ask the decision point');
  leaf(
    authz,
    {
      name: 'check <subject> <action> <resource>',
      description: 'may SUBJECT (IAM ID, service ID or trusted profile name, or user login) perform ACTION on RESOURCE (CRN or name=value,…)?',
      example: 'portcullis authz check ci-deployer cloud-object-storage.object.put serviceName=cloud-object-storage,serviceInstance=1234 --explain',
      flags: (c) => c.option('--explain', 'show the policy that permitted, or why nothing matched'),
    },
    async (ctx, args, flags) => {
      const [subject, action, resource] = args as [string, string, string];
      const id = await subjectId(ctx.api, subject);
      const { result } = await ctx.api.authz.authorize([{ subject: { attributes: { id } }, action, resource: resourceOf(ctx.api, resource) }], flags.explain === true);
      const answer = result.responses[0];
      const decision = answer?.authorizationDecision;
      if (!answer || !decision) {
        const error = answer?.error?.errors[0];
        throw new CliError(String(error?.message ?? 'The decision point answered no decision.'), 1, answer?.error?.transactionId);
      }
      const shown = { subject: id, action, resource, permitted: decision.permitted, reason: decision.reason, ...(decision.explain && { explain: decision.explain }) };
      ctx.out.result(shown, () => {
        ctx.out.fields([['Subject', id], ['Action', action], ['Resource', resource], ['Decision', decision.permitted ? 'PERMITTED' : 'DENIED'], ['Reason', decision.reason]]);
        if (decision.explain) ctx.out.message(`Explain:\n${JSON.stringify(decision.explain, null, 2)}`);
      });
    },
  );

  leaf(
    authz,
    {
      name: 'who-can <action> <resource>',
      description: 'who may perform ACTION on RESOURCE (CRN or name=value,…): identities, access groups, everyone, services',
      example: 'portcullis authz who-can cloud-object-storage.object.put serviceName=cloud-object-storage,serviceInstance=1234',
    },
    async (ctx, args) => {
      const [action, resource] = args as [string, string];
      const [{ result }, names] = await Promise.all([ctx.api.authz.whoCan({ action, resource: resourceOf(ctx.api, resource) }), ctx.out.json ? Promise.resolve(new Map<string, string>()) : namesOf(ctx.api)]);
      ctx.out.result(result, () => {
        const name = (id: string) => names.get(id);
        const rows = result.subjects.map((s) => ({ ...s, via: [...new Set(s.grants.map((g) => (g.via === 'iam_id' ? 'policy' : `group ${name(g.via) ?? g.via}`)))].join(', ') }));
        if (rows.length) ctx.out.table(rows, [['Name', (s) => name(s.iamId)], ['Type', (s) => s.type], ['IAM ID', (s) => s.iamId], ['Via', (s) => s.via], ['Policies', (s) => [...new Set(s.grants.map((g) => g.policyId))].join(', ')]]);
        else ctx.out.message(`No identity may perform ${action} on ${resource}.`);
        if (result.accessGroups.length) {
          ctx.out.message('');
          ctx.out.table(result.accessGroups, [['Access group', (g) => name(g.id) ?? g.id], ['ID', (g) => g.id], ['Members', (g) => g.members.length], ['Policies', (g) => g.policies.map((p) => p.policyId).join(', ')]]);
        }
        if (result.everyone.length) ctx.out.message(`\nEveryone (Public Access group): policies ${result.everyone.map((p) => p.policyId).join(', ')}`);
        for (const s of result.services) ctx.out.message(`\nServices matching ${s.source.attributes.map((a) => `${a.key}=${String(a.value)}`).join(', ')}: policy ${s.policyId}`);
        for (const r of result.restrictions) ctx.out.message(`\nRestricted by context-based rule ${r.ruleId} (${r.mode}): only from its network contexts.`);
      });
    },
  );
}
