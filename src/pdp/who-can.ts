import { NO_SERVICE } from './grants.js';
import { resourceMatches, type CompiledPolicy, type ResolvedResource } from './compile.js';
import type { RuleContext } from './conditions.js';
import type { EnforcementMode } from './restrictions.js';
import { PUBLIC_ACCESS_GROUP, type Snapshot } from './snapshot.js';
import type { AttributeCondition, DecisionRequest } from './types.js';

/** One policy that grants the action on the resource, and the role of it that does. */
export interface GrantingPolicy {
  policyId: string;
  role: string;
}

/** A grant as an identity receives it: directly (`iam_id`) or through an access group (its id). */
export interface IdentityGrant extends GrantingPolicy {
  via: string;
}

export interface WhoCan {
  /** The identities (users, service IDs, trusted profiles, CRN identities) granted the action, by IAM id, sorted. */
  identities: Array<{ iamId: string; grants: IdentityGrant[] }>;
  /** The access groups whose policies grant it, with their members at `now` (sorted). */
  accessGroups: Array<{ groupId: string; policies: GrantingPolicy[]; members: string[] }>;
  /** Policies of the Public Access group that grant it to everyone (the account allows public access). */
  everyone: GrantingPolicy[];
  /** Authorization policies that grant it to calling services matching their source attributes. */
  services: Array<GrantingPolicy & { source: AttributeCondition[] }>;
  /**
   * The context-based restriction rules covering the resource and action: they refuse, whoever the
   * subject, requests from outside their contexts. `satisfied`, only when the question gives an
   * environment, says whether it is inside them (without one, as in decisions, nothing restricts).
   */
  restrictions: Array<{ ruleId: string; mode: EnforcementMode; satisfied?: boolean }>;
}

export type WhoCanRequest = Omit<DecisionRequest, 'subject'>;

/**
 * The reverse query of the decision point: who is permitted `action` on the resource at `now`.
 * Exactly the subjects for which `decide` would permit before its restriction stage, found by one
 * pass over the account's policies with the decision's own tests (resource attributes and tags,
 * a role granting the action on the resource's service, the rule at `now`), each granting policy's
 * subject then expanded: an access group to its members whose membership holds at `now`, the
 * Public Access group to everyone while the account allows it. Restriction rules do not depend on
 * the subject: they are listed, not applied.
 */
export function whoCan(request: WhoCanRequest, snapshot: Snapshot, options: { now: Date | number }): WhoCan {
  const nowMs = typeof options.now === 'number' ? options.now : options.now.getTime();
  const answer: WhoCan = { identities: [], accessGroups: [], everyone: [], services: [], restrictions: [] };
  const catalog = snapshot.catalog;
  const resource = request.resource;
  const serviceName = resource.serviceName || catalog.serviceOfAction(request.action) || NO_SERVICE;
  const grants = catalog.grantsOn(serviceName);
  const granting = grants?.rolesByAction.get(request.action);
  const account = snapshot.accounts.get(resource.accountId);
  if (grants === undefined || granting === undefined || account === undefined) return answer;

  const resolved: ResolvedResource = {
    resource,
    serviceName,
    serviceType: grants.type,
    serviceGroup: grants.groupId,
    resourceGroupId: resource.resourceGroupId ?? (resource.serviceInstance === undefined ? undefined : account.resourceGroupOf(resource.serviceInstance)),
    tags: request.tags,
  };
  const context: RuleContext = { nowMs, resource, environment: request.environment?.attributes };
  const roleOf = (p: CompiledPolicy) => p.roles.find((role) => granting.roles.has(role));

  const direct = new Map<string, IdentityGrant[]>();
  const groups = new Map<string, GrantingPolicy[]>();
  for (const p of account.table.policies) {
    if (p === undefined || !resourceMatches(p, resolved)) continue;
    const role = roleOf(p);
    if (role === undefined || (p.rule !== undefined && !p.rule(context))) continue;
    const grant = { policyId: p.id, role };
    const subject = p.policy.subject;
    if (subject.kind === 'iam_id') push(direct, subject.iamId, { ...grant, via: 'iam_id' });
    else if (subject.kind === 'service') answer.services.push({ ...grant, source: subject.attributes });
    else if (subject.groupId === PUBLIC_ACCESS_GROUP) {
      if (account.publicAccess) answer.everyone.push(grant);
    } else push(groups, subject.groupId, grant);
  }

  const membersOf = new Map<string, string[]>([...groups.keys()].map((g) => [g, []]));
  for (const [iamId, memberships] of account.membership) {
    for (const [groupId, endsMs] of memberships) {
      const granted = groups.get(groupId);
      if (granted === undefined || !(endsMs > nowMs)) continue;
      membersOf.get(groupId)!.push(iamId);
      for (const g of granted) push(direct, iamId, { ...g, via: groupId });
    }
  }
  answer.identities = [...direct].map(([iamId, list]) => ({ iamId, grants: list })).sort((a, b) => compare(a.iamId, b.iamId));
  answer.accessGroups = [...groups]
    .map(([groupId, policies]) => ({ groupId, policies, members: membersOf.get(groupId)!.sort(compare) }))
    .sort((a, b) => compare(a.groupId, b.groupId));

  if (snapshot.restrictions.ruleCount !== 0) {
    const asked = { subject: { id: '' }, ...request, environment: request.environment ?? {} };
    const verdict = snapshot.restrictions.check(asked, serviceName, catalog.grantsOn(serviceName), true);
    answer.restrictions = (verdict?.tried ?? []).map((t) => ({ ruleId: t.ruleId, mode: t.mode, ...(request.environment !== undefined && { satisfied: t.satisfied }) }));
  }
  return answer;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
