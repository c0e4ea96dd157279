import { NO_SERVICE, type RoleKind, type ServiceGrants } from './grants.js';
import { accountOfScope, parseCrn } from '../kernel/crn.js';
import { Permit, residualMatches, resourceMatches, resourceMismatch, subjectMatches, type ResolvedResource } from './compile.js';
import type { RuleContext } from './conditions.js';
import { ChainSearch, ENTRY_SIZE, Field, isFast, nextOf, NO_ROLE, RECORD_SIZE } from './policy-table.js';
import type { AccountIndex } from './account-index.js';
import { ANY_SERVICE_KEY, indexKey, KeyKind } from './keys.js';
import { Reach } from './reach.js';
import type { RefusingRule } from './restrictions.js';
import { PUBLIC_ACCESS_GROUP, type Snapshot } from './snapshot.js';
import type { AuthorizeOptions, Decision, DecisionRequest, DecisionSubject, DenyCause, PolicyTrace, ResourceAttributes } from './types.js';

/**
 * The decision (authz.md §3): permitted iff some active policy of the resource's account
 *  1. reaches the subject (its IAM id; an access group it belongs to now; the Public Access group
 *     while the account allows it; for a CRN identity, an authorization policy whose source
 *     attributes it satisfies),
 *  2. matches every resource attribute and tag,
 *  3. has a role that grants the action on the resource's service (catalog role → action sets;
 *     custom roles only on their own service), and
 *  4. has no rule, or a rule true at `now`.
 * Everything else is denied; a decision says which policy and role permitted, or why none did.
 *
 * Decisions are synchronous and share module-level scratch state, so deciding allocates nothing
 * but a permit's decision and the occasional explain trace.
 */
export function authorize(requests: readonly DecisionRequest[], snapshot: Snapshot, options: AuthorizeOptions): Decision[] {
  const nowMs = epochMs(options.now);
  const explain = options.explain === true;
  const decisions = new Array<Decision>(requests.length);
  for (let i = 0; i < requests.length; i++) decisions[i] = decide(requests[i]!, snapshot, nowMs, explain);
  return decisions;
}

/**
 * One decision; `nowMs` is the decision time in epoch milliseconds. A permit of the grant search
 * is denied when an enterprise action control takes the action away in the resource's account
 * (action-controls.ts); otherwise it passes the restriction stage (context-based restrictions, restrictions.ts): an enabled rule
 * covering the resource and action whose contexts the request's environment does not satisfy turns
 * it into a deny that names the rule; a report-only rule leaves it a permit that says so.
 */
export function decide(request: DecisionRequest, snapshot: Snapshot, nowMs: number, explain = false): Decision {
  // A resource that names no service (e.g. all resources of a resource group) is decided on the
  // action's own service, or, for a generic platform action, on "any service" (NO_SERVICE).
  const serviceName = request.resource.serviceName || snapshot.catalog.serviceOfAction(request.action) || NO_SERVICE;
  const grants = snapshot.catalog.grantsOn(serviceName);
  const account = snapshot.accounts.get(request.resource.accountId);
  const decision = grantSearch(request, snapshot, serviceName, grants, account, nowMs, explain);
  if (!decision.permitted) return decision;
  if (snapshot.actionControls.size !== 0) {
    const control = snapshot.actionControls.controlling(request.resource.accountId, request.action);
    if (control !== undefined) {
      return {
        permitted: false,
        reason: `Action control ${control}: the enterprise does not allow ${request.action} in account ${request.resource.accountId}.`,
        cause: 'action_controlled',
        actionControlId: control,
        ...(explain && decision.explain ? { explain: decision.explain } : {}),
      };
    }
  }
  if (snapshot.restrictions.ruleCount === 0) return decision;
  // A permit means the account is indexed (account is defined).
  const verdict = snapshot.restrictions.check(request, serviceName, grants, explain, account!.ordinal);
  if (verdict === undefined) return decision;
  const restriction = verdict.rule;
  if (!explain) {
    if (restriction?.mode === 'enabled') return refusalBy(restriction);
    return restriction?.mode === 'report' ? { ...decision, reportedRuleId: restriction.id } : decision;
  }
  const explained = decision.explain ? { explain: { ...decision.explain, restrictions: verdict.tried } } : {};
  if (restriction?.mode === 'enabled') return { ...refusalBy(restriction), ...explained };
  if (restriction?.mode === 'report') return { ...decision, reportedRuleId: restriction.id, ...explained };
  return { ...decision, ...explained };
}

/** The deny of an enabled rule, made once for each compiled rule (the restriction stage's verdicts name one object per rule). */
const refusals = new WeakMap<RefusingRule, Decision>();
function refusalBy(rule: RefusingRule): Decision {
  let decision = refusals.get(rule);
  if (decision === undefined) {
    decision = Object.freeze({
      permitted: false,
      reason: `Context: rule ${rule.id} restricts this resource and the request comes from outside its contexts.`,
      cause: 'context_restricted',
      ruleId: rule.id,
    });
    refusals.set(rule, decision);
  }
  return decision;
}

/**
 * The grant search on the resource's service (`grants`: the catalog's grants of `serviceName`) in its
 * account (`account`: the account's index, if it has one): which policy permits, or why none does.
 */
function grantSearch(
  request: DecisionRequest,
  snapshot: Snapshot,
  serviceName: string,
  grants: ServiceGrants | undefined,
  account: AccountIndex | undefined,
  nowMs: number,
  explain: boolean,
): Decision {
  const catalog = snapshot.catalog;
  const action = request.action;
  const resource = request.resource;
  const granting = grants?.rolesByAction.get(action);
  if (grants === undefined || granting === undefined) {
    // Only a request no role can grant pays for finding out why.
    if (!catalog.knowsAction(action)) return denial('unknown_action', explain, `Action ${action} is not in the catalog.`);
    if (grants === undefined) return denial('no_service', explain, `Service ${serviceName} is not in the catalog.`);
    return denial('no_role_grants_action_on_service', explain, `No role grants ${action} on service ${serviceName}.`);
  }
  if (account === undefined) return denial('no_policy_for_subject', explain, `No policy in account ${resource.accountId} applies to the subject.`);

  resolve(request, snapshot, account, serviceName, grants, nowMs);
  // Chains whose roles cannot grant the action are not read (see PolicyTable.findChains), unless every policy is traced.
  const subjects = gather(request.subject, account, snapshot, nowMs, explain, explain ? -1 : granting.classes);
  const trace: PolicyTrace[] | undefined = explain ? [] : undefined;
  let first: Decision | undefined;
  let sawResource = false;
  let sawRole = false;
  let sawFalseRule = false;

  const { entries, records, policies, policyIds } = account.table;
  const ordinals = granting.ordinals;
  for (let c = 0; c < chainCount; c++) {
    const scoped = chainScoped[c] === 1;
    // A chain's first record is the map entry's copy, the others are in `records`.
    for (let from = entries, at = search.entries[c]! * ENTRY_SIZE; at >= 0; at = nextOf(from[at + Field.Link]!) * RECORD_SIZE, from = records) {
      if (scoped && !serviceFits(from[at + Field.ServiceKey]!)) continue;
      const slot = from[at + Field.Slot]!;
      if (trace === undefined && isFast(from[at + Field.Link]!)) {
        // Nothing left to test but the roles, and the record has them: the policy itself is not read.
        sawResource = true;
        const roles = from[at + Field.Roles]!;
        const role0 = roles & NO_ROLE;
        const role1 = roles >>> 16;
        for (let r = 0; r < ordinals.length; r++) {
          const role = ordinals[r]!;
          if (role === role0 || role === role1) return new Permit(policyIds[slot]!, catalog.roleOfOrdinal(role));
        }
        continue;
      }
      const p = policies[slot]!;
      if (p.subjectTests.length !== 0 && !subjectMatches(p, sourceAttributes!)) {
        trace?.push({ policyId: p.id, via: viaOf(c), outcome: 'subject_mismatch' });
        continue;
      }
      if (!residualMatches(p, resolved)) {
        trace?.push({ policyId: p.id, via: viaOf(c), outcome: 'resource_mismatch', mismatch: resourceMismatch(p, resolved)! });
        continue;
      }
      sawResource = true;
      let granted = -1;
      if (p.firstRole !== undefined && granting.roles.has(p.firstRole)) granted = 0;
      else if (p.roleCount > 1) {
        const roles = p.roles;
        for (let r = 1; r < roles.length; r++) {
          if (granting.roles.has(roles[r]!)) {
            granted = r;
            break;
          }
        }
      }
      if (granted < 0) {
        trace?.push({ policyId: p.id, via: viaOf(c), outcome: 'no_role_grants_action' });
        continue;
      }
      sawRole = true;
      if (p.rule !== undefined && !p.rule(ruleContext)) {
        sawFalseRule = true;
        trace?.push({ policyId: p.id, via: viaOf(c), outcome: 'condition_not_satisfied' });
        continue;
      }
      if (trace === undefined) return new Permit(p.id, p.roles[granted]!);
      trace.push({ policyId: p.id, via: viaOf(c), outcome: 'granted' });
      first ??= new Permit(p.id, p.roles[granted]!);
    }
  }
  if (first !== undefined) {
    return { permitted: true, reason: first.reason, policyId: first.policyId!, role: first.role!, explain: { subjects: subjects!, policies: trace! } };
  }

  // A deferred chain holds only FAST policies: one that is really the caller's, with a policy of the
  // resource's service, shows that a policy matched the resource. Read them only when that matters.
  if (!sawResource && !sawRole && !sawFalseRule) sawResource = anyDeferredChain(account);
  const cause: DenyCause =
    sawFalseRule ? 'condition_not_satisfied'
    : sawRole || sawResource ? 'no_role_grants_action'
    : sawSubject ? 'no_policy_for_resource'
    : 'no_policy_for_subject';
  if (!explain) return DENIALS[cause];
  return { ...denial(cause, true, detailedReason(cause, action, grants.service.name)), explain: { subjects: subjects!, policies: trace! } };
}

/** A role a subject holds on a resource, with the actions it carries on the resource's service. */
export interface RoleGrant {
  role: string;
  kind: RoleKind | undefined;
  actions: string[];
  /** The policies that grant the role here. */
  policyIds: string[];
}

/**
 * The roles a subject holds on a resource (for `/v2/authz/roles` and cache obligations): those of
 * every policy that reaches the subject, matches the resource and whose rule holds at `now`,
 * restricted to roles that carry at least one action on the resource's service.
 */
export function rolesOf(
  request: Omit<DecisionRequest, 'action'>,
  snapshot: Snapshot,
  options: { now: Date | number },
): RoleGrant[] {
  const nowMs = epochMs(options.now);
  const resource = request.resource;
  const account = snapshot.accounts.get(resource.accountId);
  const grants = resource.serviceName === undefined ? undefined : snapshot.catalog.grantsOn(resource.serviceName);
  if (account === undefined || grants === undefined) return [];
  resolve(request, snapshot, account, resource.serviceName, grants, nowMs);
  gather(request.subject, account, snapshot, nowMs, false, -1);
  const byRole = new Map<string, RoleGrant>();
  const { entries, records, policies } = account.table;
  for (let c = 0; c < chainCount; c++) {
    for (let from = entries, at = search.entries[c]! * ENTRY_SIZE; at >= 0; at = nextOf(from[at + Field.Link]!) * RECORD_SIZE, from = records) {
      if (chainScoped[c] === 1 && !serviceFits(from[at + Field.ServiceKey]!)) continue;
      const p = policies[from[at + Field.Slot]!]!;
      if (p.subjectTests.length !== 0 && !subjectMatches(p, sourceAttributes!)) continue;
      if (!resourceMatches(p, resolved) || (p.rule !== undefined && !p.rule(ruleContext))) continue;
      for (const role of p.roles) {
        const actions = grants.actionsByRole.get(role);
        if (actions === undefined || actions.size === 0) continue;
        let grant = byRole.get(role);
        if (!grant) {
          grant = { role, kind: snapshot.catalog.role(role)?.kind, actions: [...actions].sort(), policyIds: [] };
          byRole.set(role, grant);
        }
        if (!grant.policyIds.includes(p.id)) grant.policyIds.push(p.id);
      }
    }
  }
  return [...byRole.values()];
}

// ---------------------------------------------------------------------------------------------
// Scratch state shared by the functions above (decisions run one at a time on a thread).

const EMPTY_RESOURCE: ResourceAttributes = { accountId: '' };
const resolved: ResolvedResource = {
  resource: EMPTY_RESOURCE,
  serviceName: undefined,
  serviceType: undefined,
  serviceGroup: undefined,
  resourceGroupId: undefined,
  tags: undefined,
};
const ruleContext: RuleContext = { nowMs: 0, resource: EMPTY_RESOURCE, environment: undefined };
/**
 * The candidate policies of the current decision: in `search` (PolicyTable.findChains), the
 * chains of policies filed under a subject that reaches the caller and a key of the resource;
 * by chain, whether it is filed under a scope (its policies may be of any service: `serviceFits`
 * picks the resource's) and how it reached the subject: `iam_id`, `service`, the Public Access
 * group, or the subject id of one of the principal's groups.
 */
const search = new ChainSearch();
const chainScoped: number[] = [];
const chainVias: Array<string | number> = [];
let chainCount = 0;
/** The keys of the resource a subject's policies may be filed under, and whether each is a scope. */
const probeKeys: number[] = [];
const probeScoped: number[] = [];
let probeCount = 0;
/** The subject ids that reach the caller, and how. */
const subjectIds: number[] = [];
const subjectVias: Array<string | number> = [];
let subjectCount = 0;
/** The offset of the caller's block in its account's ReachTable (-1: none), found by `resolve`. */
let reachAt = -1;
/** The account of the current decision. */
let decisionAccount: AccountIndex | undefined;
let sawSubject = false;
/** Index keys of the resource's service name, type and group (-1: no policy uses it). */
let nameKey = -1;
let typeKey = -1;
let groupKey = -1;
let sourceAttributes: Readonly<Record<string, string | undefined>> | undefined;

function viaOf(chain: number): string {
  const via = chainVias[chain]!;
  return typeof via === 'string' ? via : decisionAccount!.groupIds[via]!;
}

function resolve(
  request: Omit<DecisionRequest, 'action'>,
  snapshot: Snapshot,
  account: AccountIndex,
  serviceName: string | undefined,
  grants: ServiceGrants,
  nowMs: number,
): void {
  const resource = request.resource;
  resolved.resource = resource;
  resolved.serviceName = serviceName;
  resolved.serviceType = grants.type;
  resolved.serviceGroup = grants.groupId;
  // The two lookups that most likely miss the cache, one right after the other so they overlap.
  const instance = resource.serviceInstance === undefined ? -1 : (account.instances.get(resource.serviceInstance) ?? -1);
  reachAt = request.subject.id === '' ? -1 : (account.reach.offsets.get(request.subject.id) ?? -1);
  const group =
    resource.resourceGroupId !== undefined ? (account.resourceGroups.get(resource.resourceGroupId) ?? -1)
    : instance >= 0 ? account.scopeLink[instance]!
    : -1;
  resolved.resourceGroupId = resource.resourceGroupId ?? (group >= 0 ? account.scopeIds[group] : undefined);
  resolved.tags = request.tags;
  const keys = snapshot.serviceKeys.of(grants, serviceName);
  nameKey = keys[0]!;
  typeKey = keys[1]!;
  groupKey = keys[2]!;
  probeCount = 0;
  const filed = account.filedByKind;
  if (nameKey >= 0) addProbe(nameKey, 0);
  if (typeKey >= 0) addProbe(typeKey, 0);
  if (groupKey >= 0) addProbe(groupKey, 0);
  if (filed[KeyKind.AnyService] !== 0) addProbe(ANY_SERVICE_KEY, 0);
  if (instance >= 0 && account.scopeFiled[instance] !== 0) addProbe(indexKey(instance, KeyKind.Instance), 1);
  if (group >= 0 && account.scopeFiled[group] !== 0) addProbe(indexKey(group, KeyKind.ResourceGroup), 1);
  if (filed[KeyKind.Resource] !== 0 && resource.resource !== undefined) {
    // Resource-scoped policies may be of any service; their service test stays in their residual tests.
    const scope = account.resources.get(resource.resource);
    if (scope !== undefined) addProbe(indexKey(scope, KeyKind.Resource), 0);
  }
  ruleContext.nowMs = nowMs;
  ruleContext.resource = resource;
  ruleContext.environment = request.environment?.attributes;
}

function addProbe(key: number, scoped: number): void {
  probeKeys[probeCount] = key;
  probeScoped[probeCount] = scoped;
  probeCount++;
}

/**
 * Collects into `search` the policies that can apply: those filed under a subject that reaches
 * the caller and one of the resource's keys. Returns the subjects considered when `describe` is
 * set.
 */
function gather(
  subject: DecisionSubject,
  account: AccountIndex,
  snapshot: Snapshot,
  nowMs: number,
  describe: boolean,
  grantClasses: number,
): string[] | undefined {
  chainCount = 0;
  search.deferred = 0;
  subjectCount = 0;
  decisionAccount = account;
  sawSubject = false;
  sourceAttributes = undefined;
  const described: string[] | undefined = describe ? [] : undefined;
  const id = subject.id;
  if (id !== '') {
    described?.push(id);
    if (reachAt >= 0) {
      const reach = account.reach.data;
      addSubject(account, reach[reachAt + Reach.Own]!, 'iam_id');
      const ends = reach[reachAt + Reach.Ends] === 0 ? undefined : account.expiries.get(id);
      const count = reach[reachAt + Reach.Count]!;
      for (let i = 0; i < count; i++) {
        const group = reach[reachAt + Reach.Groups + i]!;
        if (ends === undefined || ends[i]! > nowMs) {
          addSubject(account, group, group);
          if (described !== undefined) described.push(account.groupIds[group]!);
        }
      }
    }
  }
  if (account.publicAccess) {
    addSubject(account, account.groups.get(PUBLIC_ACCESS_GROUP)?.subject ?? -1, PUBLIC_ACCESS_GROUP);
    described?.push(PUBLIC_ACCESS_GROUP);
  }
  if (account.sourceServices.size !== 0) {
    sourceAttributes = sourceAttributesOf(subject, snapshot);
    if (sourceAttributes !== undefined) {
      const source = sourceAttributes.serviceName;
      if (source !== undefined) addSubject(account, account.sourceServices.get(source) ?? -1, 'service');
      addSubject(account, account.sourceServices.get(undefined) ?? -1, 'service');
      described?.push(`service ${source ?? '(unknown)'}`);
    }
  }
  sawSubject = subjectCount !== 0;
  if (sawSubject && probeCount !== 0) findChains(account, grantClasses);
  return described;
}

/** Adds `subject` (-1: none) to the subjects that reach the caller, unless it has no policies. */
function addSubject(account: AccountIndex, subject: number, via: string | number): void {
  if (subject < 0 || account.sizes[subject] === 0) return;
  subjectIds[subjectCount] = subject;
  subjectVias[subjectCount] = via;
  subjectCount++;
}

/** Finds the chains of every (subject, resource key) pair, all at once (see PolicyTable.findChains). */
function findChains(account: AccountIndex, grantClasses: number): void {
  account.table.findChains(subjectIds, subjectCount, probeKeys, probeCount, grantClasses, search);
  chainCount = search.found;
  for (let c = 0; c < chainCount; c++) {
    const pair = search.pairs[c]!;
    const k = pair % probeCount;
    chainScoped[c] = probeScoped[k]!;
    chainVias[c] = subjectVias[(pair - k) / probeCount]!;
  }
}

/**
 * Whether some deferred chain of the last search has a policy that matches the resource: every one
 * of its policies is FAST, so any does unless the chain is filed under a scope and no policy there
 * is of the resource's service.
 */
function anyDeferredChain(account: AccountIndex): boolean {
  const { entries, records } = account.table;
  for (let d = 0; d < search.deferred; d++) {
    if (probeScoped[search.deferredPairs[d]! % probeCount] === 0) return true;
    for (let from = entries, at = search.deferredEntries[d]! * ENTRY_SIZE; at >= 0; at = nextOf(from[at + Field.Link]!) * RECORD_SIZE, from = records) {
      if (serviceFits(from[at + Field.ServiceKey]!)) return true;
    }
  }
  return false;
}

/** Whether a policy filed under a scope, with this service key, is of the resource's service or of any service. */
function serviceFits(key: number): boolean {
  return key === -1 || key === nameKey || key === typeKey || key === groupKey;
}

/**
 * The source attributes of a CRN identity: given by the caller, or read from a `crn-<crn>` IAM
 * id, with the resource group of its instance filled in from the source account.
 */
function sourceAttributesOf(subject: DecisionSubject, snapshot: Snapshot): Readonly<Record<string, string | undefined>> | undefined {
  if (subject.attributes !== undefined) return subject.attributes;
  if (!subject.id.startsWith('crn-')) return undefined;
  const crn = parseCrn(subject.id.slice(4));
  if (crn === undefined) return undefined;
  const accountId = accountOfScope(crn.scope);
  const orUndefined = (v: string) => (v === '' ? undefined : v);
  const instance = orUndefined(crn.serviceInstance);
  return {
    serviceName: orUndefined(crn.serviceName),
    accountId,
    serviceInstance: instance,
    region: orUndefined(crn.location),
    resourceType: orUndefined(crn.resourceType),
    resource: orUndefined(crn.resource),
    resourceGroupId:
      accountId === undefined || instance === undefined ? undefined : snapshot.accounts.get(accountId)?.resourceGroupOf(instance),
  };
}

// ---------------------------------------------------------------------------------------------
// Denials

const REASONS: Record<DenyCause, string> = {
  unknown_action: 'The action is not in the catalog.',
  no_service: 'The resource\'s service is not in the catalog.',
  no_role_grants_action_on_service: 'No role grants the action on the resource\'s service.',
  no_policy_for_subject: 'No policy in the resource\'s account applies to the subject.',
  no_policy_for_resource: 'The subject has policies, but none matches the resource.',
  no_role_grants_action: 'Policies match the subject and resource, but none of their roles grants the action.',
  condition_not_satisfied: 'A policy would grant the action, but its conditions are not satisfied now.',
  context_restricted: 'Context: a context-based restriction rule refuses the request\'s network context.',
  action_controlled: 'An enterprise action control does not allow the action in the resource\'s account.',
};

const DENIALS = Object.fromEntries(
  Object.entries(REASONS).map(([cause, reason]) => [cause, Object.freeze({ permitted: false, reason, cause })]),
) as unknown as Record<DenyCause, Decision>;

function denial(cause: DenyCause, detailed: boolean, reason: string): Decision {
  return detailed ? { permitted: false, reason, cause, explain: { subjects: [], policies: [] } } : DENIALS[cause];
}

function detailedReason(cause: DenyCause, action: string, serviceName: string): string {
  switch (cause) {
    case 'no_policy_for_resource':
      return `The subject has policies, but none matches this ${serviceName} resource.`;
    case 'no_role_grants_action':
      return `Policies match the subject and resource, but none of their roles grants ${action}.`;
    case 'condition_not_satisfied':
      return `A policy would grant ${action}, but its conditions are not satisfied now.`;
    default:
      return REASONS[cause];
  }
}

const epochMs = (now: Date | number) => (typeof now === 'number' ? now : now.getTime());
