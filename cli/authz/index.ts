import type { Command } from 'commander';
import type { Api } from '../client/api.js';
import { leaf } from '../client/command.js';
import { CliError } from '../client/errors.js';
import { parseAttributes } from '../iam/policies.js';
import { serviceId, user } from '../iam/resolve.js';

/** An IAM ID as given, else the service ID or user of that name in the current account. */
async function subjectId(api: Api, given: string): Promise<string> {
  if (/^(IBMid-|iam-|crn-|Profile-)/.test(given)) return given;
  if (given.startsWith('ServiceId-')) return `iam-${given}`;
  try {
    return (await serviceId(api, given)).iam_id;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
  }
  return (await user(api, given)).iam_id!;
}

/** A CRN, or `name=value,…` resource attributes (the current account unless `accountId=` says otherwise). */
function resourceOf(api: Api, given: string): { crn: string } | { attributes: Record<string, string> } {
  if (given.startsWith('crn:')) return { crn: given };
  const attributes = Object.fromEntries(parseAttributes(given).map((a) => [a.name, a.value]));
  return { attributes: { accountId: api.accountId, ...attributes } };
}

/**
 * `portcullis authz check`: asks the decision point (`POST /v2/authz`) whether a subject may
 * perform an action on a resource. A denial is an answer, not a failure: both exit 0; scripts read
 * `permitted` from `--output json`.
 */
export function registerAuthz(program: Command): void {
  const authz = program.command('authz').description('ask the decision point');
  leaf(
    authz,
    {
      name: 'check <subject> <action> <resource>',
      description: 'may SUBJECT (IAM ID, service ID name or user login) perform ACTION on RESOURCE (CRN or name=value,…)?',
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
}
