import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { Policy } from '../../src/pdp/types.js';
import { ROLE_ACTIONS, type BenchRequest, type Model } from './model.js';

/**
 * The benchmark model in Cedar, translated faithfully:
 * - a policy → `permit(principal == User::"…" | principal in Group::"…", action in [role groups], resource) when {…}`,
 *   its resource attributes becoming `when` conditions on the resource entity;
 * - a role → the action group `Action::"role:<role CRN>"`, each action a child of the groups of
 *   the roles that carry it (action ids name their service, so a policy on all services of a
 *   resource group grants the role's actions on each, as ours does);
 * - group membership → the user entity's parents;
 * - an instance's resource group → the resource entity's `resourceGroupId` attribute.
 * Each request is evaluated against a pre-parsed policy set holding only the policies of the
 * user and the user's groups (Cedar has no index of its own).
 */

const quote = (s: string) => JSON.stringify(s);
/** A role's action group: every action the role carries, on any service (action ids name their service). */
const roleGroup = (role: string) => `role:${role}`;

function conditionOf(policy: Policy): string {
  return policy.resource
    .map((a) => {
      const value = a.value as string;
      return a.key === 'serviceName' || a.key === 'serviceInstance' || a.key === 'resourceGroupId'
        ? `resource.${a.key} == ${quote(value)}`
        : `(resource has ${a.key} && resource.${a.key} == ${quote(value)})`;
    })
    .join(' && ');
}

function toCedar(policy: Policy): string {
  const subject = policy.subject;
  const principal = subject.kind === 'iam_id' ? `principal == User::${quote(subject.iamId)}` : subject.kind === 'access_group' ? `principal in Group::${quote(subject.groupId)}` : 'principal';
  const groups = policy.roles.filter((r) => (ROLE_ACTIONS[r] ?? []).length > 0).map((r) => `Action::${quote(roleGroup(r))}`);
  if (groups.length === 0) return '';
  return `@id(${quote(policy.id)})\npermit(${principal}, action in [${groups.join(', ')}], resource) when { ${conditionOf(policy)} };`;
}

export interface CedarRun {
  prepareMs: number;
  decisionsPerSecond: number;
  p50Us: number;
  p99Us: number;
  requests: number;
  disagreements: number;
}

/** Evaluates `requests` with Cedar; `expected` are our decisions on the same requests, for comparison. */
export function runCedar(model: Model, requests: readonly BenchRequest[], expected: readonly boolean[]): CedarRun {
  // Ids unique per model: replacing a pre-parsed set Cedar still holds is very slow.
  const setId = (r: BenchRequest) => `${model.policies.length}/user-${r.userIndex}`;
  const prepareStart = performance.now();
  const prepared = new Set<number>();
  for (const r of requests) {
    if (prepared.has(r.userIndex)) continue;
    prepared.add(r.userIndex);
    const subjects = [model.users[r.userIndex]!, ...model.userGroups[r.userIndex]!.map((g) => model.groups[g]!)];
    const text = subjects
      .flatMap((s) => model.policiesBySubject.get(s) ?? [])
      .map((i) => toCedar(model.policies[i]!))
      .filter((t) => t !== '')
      .join('\n');
    const answer = cedar.preparsePolicySet(setId(r), { staticPolicies: text });
    if (answer.type !== 'success') throw new Error(`cedar: ${JSON.stringify(answer)}`);
  }
  const instanceGroup = new Map(model.instances.map((i) => [i.id, i.resourceGroupId]));
  // Entities are built per request outside the timed section, as a PEP would hold them.
  const calls = requests.map((r) => {
    const res = r.resource;
    const service = res.serviceName!;
    const verb = r.action.slice(service.length + 1);
    const parents = Object.entries(ROLE_ACTIONS).filter(([, verbs]) => verbs.includes(verb)).map(([role]) => ({ type: 'Action', id: roleGroup(role) }));
    const attrs: Record<string, string> = { serviceName: service, serviceInstance: res.serviceInstance!, resourceGroupId: instanceGroup.get(res.serviceInstance!) ?? '' };
    if (res.resourceType !== undefined) attrs.resourceType = res.resourceType;
    if (res.resource !== undefined) attrs.resource = res.resource;
    const user = model.users[r.userIndex]!;
    const call: cedar.StatefulAuthorizationCall = {
      principal: { type: 'User', id: user },
      action: { type: 'Action', id: r.action },
      resource: { type: 'Resource', id: `${res.serviceInstance}/${res.resourceType ?? ''}/${res.resource ?? ''}` },
      context: {},
      preparsedPolicySetId: setId(r),
      entities: [
        { uid: { type: 'User', id: user }, attrs: {}, parents: model.userGroups[r.userIndex]!.map((g) => ({ type: 'Group', id: model.groups[g]! })) },
        { uid: { type: 'Resource', id: `${res.serviceInstance}/${res.resourceType ?? ''}/${res.resource ?? ''}` }, attrs, parents: [] },
        { uid: { type: 'Action', id: r.action }, attrs: {}, parents },
      ],
    };
    return call;
  });
  const prepareMs = performance.now() - prepareStart;

  // The first pass warms Cedar up (its first decisions on a policy set are several times slower)
  // and compares its answers with ours; the second is timed.
  let disagreements = 0;
  for (let i = 0; i < calls.length; i++) {
    const answer = cedar.statefulIsAuthorized(calls[i]!);
    if (answer.type !== 'success') throw new Error(`cedar: ${JSON.stringify(answer)}`);
    if ((answer.response.decision === 'allow') !== expected[i]) disagreements++;
  }
  const latencies = new Float64Array(calls.length);
  const start = performance.now();
  for (let i = 0; i < calls.length; i++) {
    const t0 = performance.now();
    cedar.statefulIsAuthorized(calls[i]!);
    latencies[i] = performance.now() - t0;
  }
  const elapsed = performance.now() - start;
  latencies.sort();
  return {
    prepareMs,
    decisionsPerSecond: calls.length / (elapsed / 1000),
    p50Us: latencies[Math.floor(calls.length * 0.5)]! * 1000,
    p99Us: latencies[Math.floor(calls.length * 0.99)]! * 1000,
    requests: calls.length,
    disagreements,
  };
}

