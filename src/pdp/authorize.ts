import { NO_SERVICE, type ServiceGrants } from '../catalog/catalog.js';
import type { RoleKind } from '../catalog/types.js';
import { accountOfScope, parseCrn } from '../kernel/crn.js';
import { residualMatches, resourceMatches, resourceMismatch, subjectMatches, type CompiledPolicy, type ResolvedResource } from './compile.js';
import type { RuleContext } from './conditions.js';
import { PUBLIC_ACCESS_GROUP, type AccountIndex, type InstanceEntry, type Principal, type Scoped, type Snapshot, type SubjectBucket } from './snapshot.js';
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
 * but the occasional explain trace.
 */
export function authorize(requests: readonly DecisionRequest[], snapshot: Snapshot, options: AuthorizeOptions): Decision[] {
  const nowMs = epochMs(options.now);
  const explain = options.explain === true;
  const decisions = new Array<Decision>(requests.length);
  for (let i = 0; i < requests.length; i++) decisions[i] = decide(requests[i]!, snapshot, nowMs, explain);
  return decisions;
}

/** One decision; `nowMs` is the decision time in epoch milliseconds. */
export function decide(request: DecisionRequest, snapshot: Snapshot, nowMs: number, explain = false): Decision {
  const catalog = snapshot.catalog;
  const action = request.action;
  const resource = request.resource;
  // A resource that names no service (e.g. all resources of a resource group) is decided on the
  // action's own service, or, for a generic platform action, on "any service" (NO_SERVICE).
  const serviceName = resource.serviceName || catalog.serviceOfAction(action) || NO_SERVICE;
  const grants = catalog.grantsOn(serviceName);
  const granting = grants?.rolesByAction.get(action);
  if (grants === undefined || granting === undefined) {
    // Only a request no role can grant pays for finding out why.
    if (!catalog.knowsAction(action)) return denial('unknown_action', explain, `Action ${action} is not in the catalog.`);
    if (grants === undefined) return denial('no_service', explain, `Service ${serviceName} is not in the catalog.`);
    return denial('no_role_grants_action_on_service', explain, `No role grants ${action} on service ${serviceName}.`);
  }
  const account = snapshot.accounts.get(resource.accountId);
  if (account === undefined) return denial('no_policy_for_subject', explain, `No policy in account ${resource.accountId} applies to the subject.`);

  resolve(request, snapshot, account, serviceName, grants, nowMs);
  const subjects = gather(request.subject, account, snapshot, nowMs, explain);
  const trace: PolicyTrace[] | undefined = explain ? [] : undefined;
  let first: Decision | undefined;
  let sawResource = false;
  let sawRole = false;
  let sawFalseRule = false;

  for (let l = 0; l < listCount; l++) {
    const list = lists[l]!;
    const end = listEnds[l]!;
    for (let i = listStarts[l]!; i < end; i++) {
      const p = list[i]!;
      if (p.subjectTests.length !== 0 && !subjectMatches(p, sourceAttributes!)) {
        trace?.push({ policyId: p.id, via: viaOf(l), outcome: 'subject_mismatch' });
        continue;
      }
      if (!residualMatches(p, resolved)) {
        trace?.push({ policyId: p.id, via: viaOf(l), outcome: 'resource_mismatch', mismatch: resourceMismatch(p, resolved)! });
        continue;
      }
      sawResource = true;
      let granted = -1;
      if (p.firstRole !== undefined && granting.has(p.firstRole)) granted = 0;
      else if (p.roleCount > 1) {
        const roles = p.roles;
        for (let r = 1; r < roles.length; r++) {
          if (granting.has(roles[r]!)) {
            granted = r;
            break;
          }
        }
      }
      if (granted < 0) {
        trace?.push({ policyId: p.id, via: viaOf(l), outcome: 'no_role_grants_action' });
        continue;
      }
      sawRole = true;
      if (p.rule !== undefined && !p.rule(ruleContext)) {
        sawFalseRule = true;
        trace?.push({ policyId: p.id, via: viaOf(l), outcome: 'condition_not_satisfied' });
        continue;
      }
      if (trace === undefined) return granted === 0 ? p.firstPermit! : p.permits[granted]!;
      trace.push({ policyId: p.id, via: viaOf(l), outcome: 'granted' });
      first ??= p.permits[granted]!;
    }
  }
  if (first !== undefined) return { ...first, explain: { subjects: subjects!, policies: trace! } };

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
  gather(request.subject, account, snapshot, nowMs, false);
  const byRole = new Map<string, RoleGrant>();
  for (let l = 0; l < listCount; l++) {
    for (const p of lists[l]!.slice(listStarts[l], listEnds[l])) {
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
 * The candidate policies of the current decision: `lists[l]` from `listStarts[l]` to before
 * `listEnds[l]`, and how they reached the subject: `iam_id`, `service`, the Public Access group,
 * or the index of one of the principal's groups.
 */
const lists: CompiledPolicy[][] = [];
const listStarts: number[] = [];
const listEnds: number[] = [];
const vias: Array<string | number> = [];
let listCount = 0;
/** The subject buckets that reach the caller (their ids) and how. */
const subjectIds: number[] = [];
const subjectVias: Array<string | number> = [];
let subjectCount = 0;
/**
 * By subject bucket id: the serial of the last decision the bucket reached the caller in, and its
 * index in `subjectIds` then; so a scoped list is filtered in one pass. Ids of different accounts
 * share slots harmlessly: a decision only reads the ids of its own account, stamped by itself.
 */
let stamps = new Int32Array(1024);
let stampIndex = new Int32Array(1024);
let serial = 0;

function growStamps(id: number): void {
  const size = Math.max(id + 1, stamps.length * 2);
  const grown = new Int32Array(size);
  grown.set(stamps);
  stamps = grown;
  const index = new Int32Array(size);
  index.set(stampIndex);
  stampIndex = index;
}
let principal: Principal | undefined;
/** The resource's instance in the account's index. */
let instance: InstanceEntry | undefined;
let sawSubject = false;
/** ServiceKeys ordinals of the resource's service name, type and group (-1: no policy uses it). */
let nameKey = -1;
let typeKey = -1;
let groupKey = -1;
let sourceAttributes: Readonly<Record<string, string | undefined>> | undefined;

function viaOf(list: number): string {
  const via = vias[list]!;
  return typeof via === 'string' ? via : principal!.groupIds[via]!;
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
  // One lookup gives the instance's resource group and the policies scoped to it.
  instance = resource.serviceInstance === undefined ? undefined : account.instances.get(resource.serviceInstance);
  resolved.resourceGroupId = resource.resourceGroupId ?? instance?.resourceGroupId;
  resolved.tags = request.tags;
  const keys = snapshot.serviceKeys.of(grants, serviceName);
  nameKey = keys[0]!;
  typeKey = keys[1]!;
  groupKey = keys[2]!;
  ruleContext.nowMs = nowMs;
  ruleContext.resource = resource;
  ruleContext.environment = request.environment?.attributes;
}

/**
 * Collects into `lists` the policies that can apply: for each subject bucket that reaches the
 * caller, its unscoped lists for the resource's service keys and its list for the resource; then
 * those subjects' runs among the policies scoped to the resource's instance and resource group.
 * Returns the subjects considered when `describe` is set.
 */
function gather(subject: DecisionSubject, account: AccountIndex, snapshot: Snapshot, nowMs: number, describe: boolean): string[] | undefined {
  listCount = 0;
  subjectCount = 0;
  if (++serial === 0x7fffffff) {
    stamps.fill(0);
    serial = 1;
  }
  principal = undefined;
  sawSubject = false;
  sourceAttributes = undefined;
  const described: string[] | undefined = describe ? [] : undefined;
  const id = subject.id;
  if (id !== '') {
    described?.push(id);
    principal = account.principals.get(id);
    if (principal !== undefined) {
      addSubject(principal.own, 'iam_id');
      const buckets = principal.groupBuckets;
      const expiresAt = principal.expiresAt;
      for (let i = 0; i < buckets.length; i++) {
        if (expiresAt === undefined || expiresAt[i]! > nowMs) {
          addSubject(buckets[i], i);
          if (described !== undefined) described.push(principal.groupIds[i]!);
        }
      }
    }
  }
  if (account.publicAccess) {
    addSubject(account.byGroup.get(PUBLIC_ACCESS_GROUP), PUBLIC_ACCESS_GROUP);
    described?.push(PUBLIC_ACCESS_GROUP);
  }
  if (account.bySourceService.size !== 0) {
    sourceAttributes = sourceAttributesOf(subject, snapshot);
    if (sourceAttributes !== undefined) {
      const source = sourceAttributes.serviceName;
      if (source !== undefined) addSubject(account.bySourceService.get(source), 'service');
      addSubject(account.bySourceService.get(undefined), 'service');
      described?.push(`service ${source ?? '(unknown)'}`);
    }
  }
  if (subjectCount !== 0) {
    addScoped(instance);
    const group = resolved.resourceGroupId;
    if (group !== undefined && account.byResourceGroup.size !== 0) addScoped(account.byResourceGroup.get(group));
  }
  return described;
}

function addSubject(bucket: SubjectBucket | undefined, via: string | number): void {
  if (bucket === undefined || bucket.size === 0) return;
  sawSubject = true;
  const id = bucket.id;
  if (id >= stamps.length) growStamps(id);
  stamps[id] = serial;
  stampIndex[id] = subjectCount;
  subjectIds[subjectCount] = id;
  subjectVias[subjectCount] = via;
  subjectCount++;
  const byService = bucket.byService;
  if (nameKey >= 0) addList(byService[nameKey], via);
  if (typeKey >= 0) addList(byService[typeKey], via);
  if (groupKey >= 0) addList(byService[groupKey], via);
  addList(bucket.anyService, via);
  const byResource = bucket.byResource;
  const name = resolved.resource.resource;
  if (byResource !== undefined && name !== undefined) addList(byResource.get(name), via);
}

/**
 * Adds the policies of the reaching subjects scoped to the resource's instance or group, for the
 * resource's service keys or any service.
 */
function addScoped(scoped: Scoped | undefined): void {
  if (scoped === undefined) return;
  const subjects = scoped.subjects;
  const services = scoped.services;
  if (subjects.length <= 8 * subjectCount) {
    // Short list: one pass, each entry's subject checked against this decision's stamp.
    for (let i = 0; i < subjects.length; i++) {
      const id = subjects[i]!;
      if (stamps[id] !== serial) continue;
      const service = services[i]!;
      if (service === -1 || service === nameKey || service === typeKey || service === groupKey) addRun(scoped.policies, i, i + 1, subjectVias[stampIndex[id]!]!);
    }
    return;
  }
  for (let k = 0; k < subjectCount; k++) {
    const id = subjectIds[k]!;
    for (let i = scoped.lowerBound(id); i < subjects.length && subjects[i] === id; i++) {
      const service = services[i]!;
      if (service === -1 || service === nameKey || service === typeKey || service === groupKey) addRun(scoped.policies, i, i + 1, subjectVias[k]!);
    }
  }
}

function addList(list: CompiledPolicy[] | undefined, via: string | number): void {
  if (list !== undefined) addRun(list, 0, list.length, via);
}

function addRun(list: CompiledPolicy[], start: number, end: number, via: string | number): void {
  lists[listCount] = list;
  listStarts[listCount] = start;
  listEnds[listCount] = end;
  vias[listCount] = via;
  listCount++;
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
      accountId === undefined || instance === undefined ? undefined : snapshot.accounts.get(accountId)?.instances.get(instance)?.resourceGroupId,
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
