import { Catalog } from '../../src/catalog/catalog.js';
import { platformRoles, serviceRoles } from '../../src/catalog/system.js';
import type { CatalogService } from '../../src/catalog/types.js';
import type { AttributeCondition, DecisionRequest, Policy } from '../../src/pdp/types.js';
import type { SnapshotInput } from '../../src/pdp/snapshot.js';

/**
 * A synthetic account for the decision benchmarks: users in access groups, services with
 * instances in resource groups, and policies mixing service-wide, resource-group, instance and
 * resource-type targets. Deterministic for a given seed.
 */

export const ACCOUNT = '0123456789abcdef0123456789abcdef';

export interface ModelSize {
  users: number;
  groups: number;
  groupsPerUser: number;
  services: number;
  resourceGroups: number;
  instances: number;
}

export const DEFAULT_SIZE: ModelSize = { users: 10_000, groups: 1_000, groupsPerUser: 3, services: 100, resourceGroups: 500, instances: 20_000 };

/** mulberry32: a small, fast, seedable PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const { reader, writer, manager } = serviceRoles;
const { viewer } = platformRoles;
export const ROLE_CHOICES = [reader.crn, writer.crn, manager.crn, viewer.crn];
export const RESOURCE_TYPES = ['bucket', 'key', 'volume'];

/** Service roles and their actions, the same for every synthetic service. */
export const ROLE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  [reader.crn]: ['thing.read', 'thing.list'],
  [writer.crn]: ['thing.read', 'thing.list', 'thing.write'],
  [manager.crn]: ['thing.read', 'thing.list', 'thing.write', 'thing.delete', 'thing.admin'],
  [viewer.crn]: [],
};
export const VERBS = ['thing.read', 'thing.list', 'thing.write', 'thing.delete', 'thing.admin'];

/**
 * A flat copy of a generated string, as a server holds its ids: read from its database or from a
 * request's JSON. A template literal of 13 characters or more is a V8 cons string, and comparing
 * one in a map lookup goes through V8's runtime: about 180 instructions a restriction check
 * (callgrind) and more in the grant search, which no server pays.
 */
const flat = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

export function syntheticService(name: string): CatalogService {
  return {
    name,
    displayName: name,
    type: 'service',
    roles: [...Object.values(platformRoles).map((r) => r.crn), reader.crn, writer.crn, manager.crn],
    actions: VERBS.map((verb) => ({
      id: flat(`${name}.${verb}`),
      displayName: verb,
      roles: Object.entries(ROLE_ACTIONS).filter(([, verbs]) => verbs.includes(verb)).map(([role]) => role),
    })),
  };
}

export interface Model {
  size: ModelSize;
  catalog: Catalog;
  services: string[];
  users: string[];
  groups: string[];
  /** user index → group indexes */
  userGroups: number[][];
  instances: Array<{ id: string; service: string; resourceGroupId: string }>;
  policies: Policy[];
  /** subject id (user IAM id or group id) → indexes into `policies` */
  policiesBySubject: Map<string, number[]>;
}

export function buildModel(policyCount: number, seed = 42, size: ModelSize = DEFAULT_SIZE): Model {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const catalog = Catalog.withSeed();
  const services = Array.from({ length: size.services }, (_, i) => flat(`svc-${pad(i, 3)}`));
  catalog.registerAll(services.map(syntheticService));
  const users = Array.from({ length: size.users }, (_, i) => flat(`IBMid-${pad(i, 10)}`));
  const groups = Array.from({ length: size.groups }, (_, i) => flat(`AccessGroupId-${pad(i, 8)}`));
  const resourceGroups = Array.from({ length: size.resourceGroups }, (_, i) => flat(`rg${pad(i, 30)}`));
  const userGroups = users.map(() => {
    const set = new Set<number>();
    while (set.size < size.groupsPerUser) set.add(Math.floor(rnd() * size.groups));
    return [...set];
  });
  const instances = Array.from({ length: size.instances }, (_, i) => ({
    id: flat(`inst-${pad(i, 8)}`),
    service: pick(services),
    resourceGroupId: pick(resourceGroups),
  }));

  // The same mix at every size: half the policies on a random group, half on a random user; a
  // quarter service-wide, a quarter on a resource group (alone or with its service), 35% on an
  // instance, 15% on a resource type and resource of an instance. The spec fixes the numbers of
  // users and groups, so more policies means more per subject (at 500,000 a group holds ~250 and a
  // user reaches ~775 through its own and its groups'): that growth is the load the index must
  // absorb, neither thinned out nor concentrated.
  const eq = (key: string, value: string): AttributeCondition => ({ key, operator: 'stringEquals', value });
  const policies: Policy[] = [];
  const policiesBySubject = new Map<string, number[]>();
  for (let i = 0; i < policyCount; i++) {
    const onGroup = rnd() < 0.5;
    const subjectId = onGroup ? pick(groups) : pick(users);
    const instance = pick(instances);
    const kind = rnd();
    const resource: AttributeCondition[] =
      kind < 0.25 ? [eq('serviceName', instance.service)]
      : kind < 0.5 ? (rnd() < 0.5 ? [eq('resourceGroupId', instance.resourceGroupId)] : [eq('serviceName', instance.service), eq('resourceGroupId', instance.resourceGroupId)])
      : kind < 0.85 ? [eq('serviceName', instance.service), eq('serviceInstance', instance.id)]
      : [eq('serviceName', instance.service), eq('serviceInstance', instance.id), eq('resourceType', pick(RESOURCE_TYPES)), eq('resource', `r${Math.floor(rnd() * 20)}`)];
    const roles = rnd() < 0.2 ? [pick(ROLE_CHOICES), pick(ROLE_CHOICES)] : [pick(ROLE_CHOICES)];
    policies.push({
      id: `policy-${pad(i, 7)}`,
      accountId: ACCOUNT,
      type: 'access',
      state: 'active',
      subject: onGroup ? { kind: 'access_group', groupId: subjectId } : { kind: 'iam_id', iamId: subjectId },
      resource,
      tags: [],
      roles: [...new Set(roles)],
    });
    const list = policiesBySubject.get(subjectId);
    if (list) list.push(i);
    else policiesBySubject.set(subjectId, [i]);
  }
  return { size, catalog, services, users, groups, userGroups, instances, policies, policiesBySubject };
}

export interface BenchRequest extends DecisionRequest {
  /** index into `Model.users` */
  userIndex: number;
}

/** What a benchmark policy targets (every attribute is a stringEquals) and the verbs it grants. */
interface Target {
  service: string | undefined;
  resourceGroupId: string | undefined;
  instance: string | undefined;
  resourceType: string | undefined;
  resource: string | undefined;
  verbs: ReadonlySet<string>;
}

function targetOf(policy: Policy): Target {
  const attr = (key: string) => policy.resource.find((a) => a.key === key)?.value as string | undefined;
  return {
    service: attr('serviceName'),
    resourceGroupId: attr('resourceGroupId'),
    instance: attr('serviceInstance'),
    resourceType: attr('resourceType'),
    resource: attr('resource'),
    verbs: new Set(policy.roles.flatMap((r) => ROLE_ACTIONS[r] ?? [])),
  };
}

/** Whether a target grants `verb` on a resource: the generator's own matcher, independent of the PDP. */
function covers(t: Target, verb: string, instance: Model['instances'][number], resourceType: string | undefined, resource: string | undefined): boolean {
  return (
    t.verbs.has(verb) &&
    (t.service === undefined || t.service === instance.service) &&
    (t.resourceGroupId === undefined || t.resourceGroupId === instance.resourceGroupId) &&
    (t.instance === undefined || t.instance === instance.id) &&
    (t.resourceType === undefined || t.resourceType === resourceType) &&
    (t.resource === undefined || t.resource === resource)
  );
}

/**
 * Requests by users drawn uniformly from the first `userPool` users, the same procedure at every
 * policy count, so that about half are permitted whatever the size:
 * - half are *grants*: a policy reaching the user (its own or one of its groups') that carries an
 *   action is drawn, and the request asks for an action it grants on a resource it covers;
 * - half are *denials*: a uniformly random instance, verb and (one time in five) resource type and
 *   resource, redrawn while any policy reaching the user covers it.
 * A plain random half would be denied almost always at 5,000 policies but mostly permitted at
 * 500,000 (a user then reaches ~775 policies, ~190 of them service-wide), so the sizes would not
 * run the same mix of permits and full-scan denials. The denials are not made cheaper: they are
 * random resources of the account, evaluated against every candidate policy the index yields.
 */
export function buildRequests(model: Model, count: number, seed = 7, userPool = model.users.length): BenchRequest[] {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const requests: BenchRequest[] = [];
  const instancesByService = new Map<string, typeof model.instances>();
  const instancesByGroup = new Map<string, typeof model.instances>();
  const instanceById = new Map(model.instances.map((i) => [i.id, i]));
  for (const inst of model.instances) {
    (instancesByService.get(inst.service) ?? instancesByService.set(inst.service, []).get(inst.service)!).push(inst);
    (instancesByGroup.get(inst.resourceGroupId) ?? instancesByGroup.set(inst.resourceGroupId, []).get(inst.resourceGroupId)!).push(inst);
  }
  const targets = model.policies.map(targetOf);
  while (requests.length < count) {
    const userIndex = Math.floor(rnd() * Math.min(userPool, model.users.length));
    const user = model.users[userIndex]!;
    const subjects = [user, ...model.userGroups[userIndex]!.map((g) => model.groups[g]!)];
    const reaching = subjects.flatMap((s) => model.policiesBySubject.get(s) ?? []).map((i) => targets[i]!);
    const granting = reaching.filter((t) => t.verbs.size > 0);
    const grant = requests.length % 2 === 0;
    if (grant && granting.length === 0) continue;
    let instance: Model['instances'][number];
    let verb: string;
    let resourceType: string | undefined;
    let resource: string | undefined;
    if (grant) {
      const t = pick(granting);
      instance =
        t.instance !== undefined ? instanceById.get(t.instance)!
        : t.resourceGroupId !== undefined ? pick(instancesByGroup.get(t.resourceGroupId)!.filter((i) => t.service === undefined || i.service === t.service))
        : pick(instancesByService.get(t.service!)!);
      verb = pick([...t.verbs]);
      resourceType = t.resourceType;
      resource = t.resource;
    } else {
      do {
        instance = pick(model.instances);
        verb = pick(VERBS);
        const typed = rnd() < 0.2;
        resourceType = typed ? pick(RESOURCE_TYPES) : undefined;
        resource = typed ? `r${Math.floor(rnd() * 20)}` : undefined;
      } while (reaching.some((t) => covers(t, verb, instance, resourceType, resource)));
    }
    // Strings of their own, as a parsed request has them: equal to the index's keys, never the same objects.
    requests.push({
      userIndex,
      subject: { id: flat(user) },
      action: flat(`${instance.service}.${verb}`),
      resource: {
        accountId: flat(ACCOUNT),
        serviceName: flat(instance.service),
        serviceInstance: flat(instance.id),
        ...(resourceType !== undefined ? { resourceType: flat(resourceType), resource: flat(resource!) } : {}),
      },
    });
  }
  return requests;
}

/** What the decision point's index is built from for a model: its catalog, policies, group memberships and instances. */
export function snapshotInput(model: Model): SnapshotInput {
  return {
    catalog: model.catalog,
    policies: model.policies,
    memberships: model.userGroups.flatMap((groups, u) => groups.map((g) => ({ accountId: ACCOUNT, groupId: model.groups[g]!, iamId: model.users[u]! }))),
    instances: model.instances.map((i) => ({ accountId: ACCOUNT, instanceId: i.id, resourceGroupId: i.resourceGroupId })),
  };
}
