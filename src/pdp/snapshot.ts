import type { Catalog, ServiceGrants } from '../catalog/catalog.js';
import { DomainError } from '../kernel/errors.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import type { Policy } from './types.js';

/** The reserved group every caller belongs to while the account's public access is enabled. */
export const PUBLIC_ACCESS_GROUP = 'AccessGroupId-PublicAccess';

/**
 * The policies of every subject scoped to one instance or one resource group, ordered by subject
 * bucket id: a decision makes one lookup per scope for all the subjects that reach the caller,
 * and finds each subject's run by binary search in contiguous arrays. `services[i]` is the
 * ServiceKeys ordinal policy i is placed under (-1: any service), so a decision picks the
 * policies for the resource's service without reading them.
 */
export class Scoped {
  readonly subjects: number[] = [];
  readonly services: number[] = [];
  readonly policies: CompiledPolicy[] = [];

  /** The index of the first entry of `subject`, or of the first entry after it. */
  lowerBound(subject: number): number {
    const subjects = this.subjects;
    // Most lists are short: a forward scan reads one or two cache lines and predicts well.
    if (subjects.length <= 16) {
      let i = 0;
      while (i < subjects.length && subjects[i]! < subject) i++;
      return i;
    }
    let lo = 0;
    let hi = subjects.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (subjects[mid]! < subject) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(subject: number, service: number, p: CompiledPolicy): void {
    let at = this.lowerBound(subject);
    while (at < this.subjects.length && this.subjects[at] === subject) at++;
    this.subjects.splice(at, 0, subject);
    this.services.splice(at, 0, service);
    this.policies.splice(at, 0, p);
  }

  remove(subject: number, p: CompiledPolicy): void {
    for (let i = this.lowerBound(subject); i < this.subjects.length && this.subjects[i] === subject; i++) {
      if (this.policies[i] !== p) continue;
      this.subjects.splice(i, 1);
      this.services.splice(i, 1);
      this.policies.splice(i, 1);
      return;
    }
  }
}

/**
 * An instance of an account: its resource group, and the policies scoped to it (one object, so
 * one memory access finds both).
 */
export class InstanceEntry extends Scoped {
  resourceGroupId: string | undefined;
}

/**
 * Small integers for the service keys policies are indexed under (an exact service name, a
 * service type, a service group), so a subject's buckets are an array indexed by them rather than
 * a map per subject: one memory access fewer per subject in every decision.
 */
export class ServiceKeys {
  private readonly ordinals = { name: new Map<string, number>(), type: new Map<string, number>(), group: new Map<string, number>() };
  private next = 0;
  /**
   * By ServiceGrants ordinal: the name, type and group ordinals of that service (-1: none), or
   * undefined until first asked. Cleared whenever a key is added.
   */
  private byGrants: Array<Int32Array | undefined> = [];

  ordinalOf(by: 'name' | 'type' | 'group', value: string): number {
    const map = this.ordinals[by];
    let ordinal = map.get(value);
    if (ordinal === undefined) {
      map.set(value, (ordinal = this.next++));
      this.byGrants = [];
    }
    return ordinal;
  }

  /**
   * The ordinals of `serviceName` (normally the service of `grants`; rolesOf may pass none), of
   * its type and of its group: one array read once cached.
   */
  of(grants: ServiceGrants, serviceName: string | undefined): Int32Array {
    let keys = serviceName === grants.service.name ? this.byGrants[grants.ordinal] : undefined;
    if (keys === undefined) {
      keys = Int32Array.of(this.find('name', serviceName), this.find('type', grants.type), this.find('group', grants.groupId));
      if (serviceName === grants.service.name) this.byGrants[grants.ordinal] = keys;
    }
    return keys;
  }

  /** The ordinal of a key some policy was indexed under, or -1. */
  find(by: 'name' | 'type' | 'group', value: string | undefined): number {
    return value === undefined ? -1 : (this.ordinals[by].get(value) ?? -1);
  }
}

/**
 * One subject's policies in one account. Those without a scope are here by the service they
 * target: an exact service name, a service type (`service` / `platform_service`) or a service
 * group (`byService`, indexed by ServiceKeys ordinals), or none of these (`anyService`); those
 * scoped to one resource (`resource` stringEquals, no instance or group) in `byResource`; those
 * scoped to an instance or resource group in the account's Scoped lists, under `id`.
 */
export class SubjectBucket {
  readonly byService: Array<CompiledPolicy[] | undefined> = [];
  anyService: CompiledPolicy[] | undefined;
  byResource: Map<string, CompiledPolicy[]> | undefined;
  /** All the subject's policies, wherever they are indexed. */
  size = 0;

  /** `id` is unique in the account. */
  constructor(readonly id: number) {}
}

const NO_GROUPS: readonly never[] = [];

/**
 * One identity in an account: its own access policies and its group memberships, together and
 * flat so a decision finds both with one lookup and few memory accesses. The memberships are
 * parallel arrays, scanned without allocating.
 */
export interface Principal {
  own: SubjectBucket | undefined;
  groupIds: readonly string[];
  /** The groups' policy buckets, so a decision needs no lookup per group. */
  groupBuckets: readonly SubjectBucket[];
  /** Epoch ms after which each membership no longer counts; undefined when all are static. */
  expiresAt: readonly number[] | undefined;
}

/** Everything the decision point knows about one account. */
export class AccountIndex {
  /** Identities with policies or memberships, by IAM id. */
  readonly principals = new Map<string, Principal>();
  /**
   * Access policies by `access_group_id`. A group's bucket is kept while empty, since
   * memberships point at it.
   */
  readonly byGroup = new Map<string, SubjectBucket>();
  /** Authorization policies by their source `serviceName`; `undefined` key = any source service. */
  readonly bySourceService = new Map<string | undefined, SubjectBucket>();
  /** Source of `members`: iamId → groupId → expiry. */
  readonly membership = new Map<string, Map<string, number>>();
  /** Instances with a known resource group or scoped policies. */
  readonly instances = new Map<string, InstanceEntry>();
  /** Policies scoped to a resource group, by resource group id. */
  readonly byResourceGroup = new Map<string, Scoped>();
  publicAccess = false;
  /** The next SubjectBucket id; ids are not reused, so a scoped list never confuses two subjects. */
  private nextSubject = 0;

  constructor(readonly accountId: string) {}

  bucketFor(p: CompiledPolicy, create: boolean): SubjectBucket | undefined {
    const subject = p.policy.subject;
    if (subject.kind === 'iam_id') {
      const principal = create ? this.principal(subject.iamId) : this.principals.get(subject.iamId);
      if (principal && !principal.own && create) principal.own = new SubjectBucket(this.nextSubject++);
      return principal?.own;
    }
    if (subject.kind === 'access_group') return create ? this.groupBucket(subject.groupId) : this.byGroup.get(subject.groupId);
    let bucket = this.bySourceService.get(p.placement.subjectService);
    if (!bucket && create) this.bySourceService.set(p.placement.subjectService, (bucket = new SubjectBucket(this.nextSubject++)));
    return bucket;
  }

  principal(iamId: string): Principal {
    let principal = this.principals.get(iamId);
    if (!principal) this.principals.set(iamId, (principal = { own: undefined, groupIds: NO_GROUPS, groupBuckets: NO_GROUPS, expiresAt: undefined }));
    return principal;
  }

  /** Forgets an identity that has neither policies nor memberships left. */
  forgetIfIdle(iamId: string): void {
    const principal = this.principals.get(iamId);
    if (principal && !principal.own && principal.groupIds.length === 0) this.principals.delete(iamId);
  }

  groupBucket(groupId: string): SubjectBucket {
    let bucket = this.byGroup.get(groupId);
    if (!bucket) this.byGroup.set(groupId, (bucket = new SubjectBucket(this.nextSubject++)));
    return bucket;
  }

  /** Indexes a policy of `bucket`'s subject by its placement. */
  add(p: CompiledPolicy, bucket: SubjectBucket, keys: ServiceKeys): void {
    const { service, scope } = p.placement;
    const ordinal = service ? keys.ordinalOf(service.by, service.value) : -1;
    bucket.size++;
    if (scope?.by === 'serviceInstance') {
      this.instanceEntry(scope.value).add(bucket.id, ordinal, p);
    } else if (scope?.by === 'resourceGroupId') {
      let scoped = this.byResourceGroup.get(scope.value);
      if (!scoped) this.byResourceGroup.set(scope.value, (scoped = new Scoped()));
      scoped.add(bucket.id, ordinal, p);
    } else if (scope?.by === 'resource') pushTo((bucket.byResource ??= new Map()), scope.value, p);
    else if (service) (bucket.byService[ordinal] ??= []).push(p);
    else (bucket.anyService ??= []).push(p);
  }

  remove(p: CompiledPolicy, bucket: SubjectBucket, keys: ServiceKeys): void {
    const { service, scope } = p.placement;
    bucket.size--;
    if (scope?.by === 'serviceInstance') {
      this.instances.get(scope.value)?.remove(bucket.id, p);
      this.forgetInstanceIfIdle(scope.value);
    } else if (scope?.by === 'resourceGroupId') {
      const scoped = this.byResourceGroup.get(scope.value);
      scoped?.remove(bucket.id, p);
      if (scoped?.subjects.length === 0) this.byResourceGroup.delete(scope.value);
    } else if (scope?.by === 'resource') {
      if (bucket.byResource) removeFrom(bucket.byResource, scope.value, p);
      if (bucket.byResource?.size === 0) bucket.byResource = undefined;
    } else if (service) {
      const ordinal = keys.find(service.by, service.value);
      const list = bucket.byService[ordinal];
      if (list) removeItem(list, p);
      if (list?.length === 0) bucket.byService[ordinal] = undefined;
    } else {
      if (bucket.anyService) removeItem(bucket.anyService, p);
      if (bucket.anyService?.length === 0) bucket.anyService = undefined;
    }
  }

  instanceEntry(instanceId: string): InstanceEntry {
    let entry = this.instances.get(instanceId);
    if (!entry) this.instances.set(instanceId, (entry = new InstanceEntry()));
    return entry;
  }

  forgetInstanceIfIdle(instanceId: string): void {
    const entry = this.instances.get(instanceId);
    if (entry && entry.resourceGroupId === undefined && entry.subjects.length === 0) this.instances.delete(instanceId);
  }

  dropIfEmpty(p: CompiledPolicy, bucket: SubjectBucket): void {
    if (bucket.size > 0) return;
    const subject = p.policy.subject;
    if (subject.kind === 'iam_id') {
      this.principal(subject.iamId).own = undefined;
      this.forgetIfIdle(subject.iamId);
    } else if (subject.kind === 'service') this.bySourceService.delete(p.placement.subjectService);
  }
}

export interface MembershipInput {
  accountId: string;
  groupId: string;
  iamId: string;
  /** Dynamic (rule-based) memberships end at this time; omitted for static members. */
  expiresAt?: Date | number;
}

export interface SnapshotInput {
  catalog: Catalog;
  policies?: Iterable<Policy>;
  memberships?: Iterable<MembershipInput>;
  instances?: Iterable<{ accountId: string; instanceId: string; resourceGroupId: string }>;
  publicAccess?: Iterable<{ accountId: string; enabled: boolean }>;
}

const epochMs = (t: Date | number | undefined) => (t === undefined ? Number.POSITIVE_INFINITY : typeof t === 'number' ? t : t.getTime());

/**
 * The in-memory index the decision point evaluates against, per account: unscoped policies by
 * subject and service key; policies scoped to an instance or resource group by that scope, then
 * subject and service key; group memberships; instance → resource group; public-access settings;
 * and the catalog's role → action sets (read live from the catalog, which keeps them current).
 * Every update touches only the entries it concerns.
 */
export class Snapshot {
  readonly accounts = new Map<string, AccountIndex>();
  readonly serviceKeys = new ServiceKeys();
  private readonly compiled = new Map<string, CompiledPolicy>();
  /** The last change-feed revision applied (maintained by the feed applier). */
  revision = 0;

  constructor(readonly catalog: Catalog) {}

  /**
   * Builds a snapshot at start-up. Policies that do not compile are left out and returned, so one
   * bad row cannot keep the server from starting.
   */
  static build(input: SnapshotInput): { snapshot: Snapshot; rejected: Array<{ policyId: string; error: DomainError }> } {
    const snapshot = new Snapshot(input.catalog);
    const rejected: Array<{ policyId: string; error: DomainError }> = [];
    for (const policy of input.policies ?? []) {
      try {
        snapshot.upsertPolicy(policy);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        rejected.push({ policyId: policy.id, error });
      }
    }
    for (const m of input.memberships ?? []) snapshot.addMember(m.accountId, m.groupId, m.iamId, m.expiresAt);
    for (const i of input.instances ?? []) snapshot.setInstanceGroup(i.accountId, i.instanceId, i.resourceGroupId);
    for (const p of input.publicAccess ?? []) snapshot.setPublicAccess(p.accountId, p.enabled);
    return { snapshot, rejected };
  }

  account(accountId: string): AccountIndex | undefined {
    return this.accounts.get(accountId);
  }

  policy(id: string): Policy | undefined {
    return this.compiled.get(id)?.policy;
  }

  get policyCount(): number {
    return this.compiled.size;
  }

  /**
   * Adds or replaces a policy; a policy whose state is not `active` is removed. Throws
   * DomainError('invalid') for a policy that does not compile, leaving the index unchanged.
   */
  upsertPolicy(policy: Policy): void {
    const next = policy.state === 'active' ? compilePolicy(policy) : undefined;
    this.removePolicy(policy.id);
    if (!next) return;
    const account = this.accountFor(policy.accountId);
    account.add(next, account.bucketFor(next, true)!, this.serviceKeys);
    this.compiled.set(policy.id, next);
  }

  removePolicy(policyId: string): void {
    const previous = this.compiled.get(policyId);
    if (!previous) return;
    this.compiled.delete(policyId);
    const account = this.accounts.get(previous.policy.accountId);
    const bucket = account?.bucketFor(previous, false);
    if (!account || !bucket) return;
    account.remove(previous, bucket, this.serviceKeys);
    account.dropIfEmpty(previous, bucket);
  }

  /** Replaces all of an identity's group memberships in an account. */
  setMemberships(accountId: string, iamId: string, groups: ReadonlyArray<{ groupId: string; expiresAt?: Date | number }>): void {
    const account = this.accountFor(accountId);
    const next = new Map<string, number>();
    for (const g of groups) next.set(g.groupId, Math.max(next.get(g.groupId) ?? -Infinity, epochMs(g.expiresAt)));
    this.storeMembership(account, iamId, next);
  }

  /**
   * Adds an identity to a group. A static and a dynamic membership of the same group combine: the
   * later expiry wins.
   */
  addMember(accountId: string, groupId: string, iamId: string, expiresAt?: Date | number): void {
    const account = this.accountFor(accountId);
    const groups = new Map(account.membership.get(iamId));
    groups.set(groupId, Math.max(groups.get(groupId) ?? -Infinity, epochMs(expiresAt)));
    this.storeMembership(account, iamId, groups);
  }

  removeMember(accountId: string, groupId: string, iamId: string): void {
    const account = this.accounts.get(accountId);
    const current = account?.membership.get(iamId);
    if (!account || !current?.has(groupId)) return;
    const groups = new Map(current);
    groups.delete(groupId);
    this.storeMembership(account, iamId, groups);
  }

  /**
   * Forgets every membership of a deleted group, and its bucket once its policies are gone (they
   * are removed one by one).
   */
  removeGroup(accountId: string, groupId: string): void {
    const account = this.accounts.get(accountId);
    if (!account) return;
    for (const [iamId, groups] of account.membership) {
      if (groups.has(groupId)) this.removeMember(accountId, groupId, iamId);
    }
    if (account.byGroup.get(groupId)?.size === 0) account.byGroup.delete(groupId);
  }

  setInstanceGroup(accountId: string, instanceId: string, resourceGroupId: string): void {
    this.accountFor(accountId).instanceEntry(instanceId).resourceGroupId = resourceGroupId;
  }

  removeInstance(accountId: string, instanceId: string): void {
    const account = this.accounts.get(accountId);
    const entry = account?.instances.get(instanceId);
    if (!account || !entry) return;
    entry.resourceGroupId = undefined;
    account.forgetInstanceIfIdle(instanceId);
  }

  /** Whether policies on `AccessGroupId-PublicAccess` apply to everyone (off until set). */
  setPublicAccess(accountId: string, enabled: boolean): void {
    this.accountFor(accountId).publicAccess = enabled;
  }

  private storeMembership(account: AccountIndex, iamId: string, groups: Map<string, number>): void {
    if (groups.size === 0) {
      account.membership.delete(iamId);
      const principal = account.principal(iamId);
      principal.groupIds = principal.groupBuckets = NO_GROUPS;
      principal.expiresAt = undefined;
      account.forgetIfIdle(iamId);
      return;
    }
    account.membership.set(iamId, groups);
    const principal = account.principal(iamId);
    const expiresAt = [...groups.values()];
    principal.groupIds = [...groups.keys()];
    principal.groupBuckets = principal.groupIds.map((g) => account.groupBucket(g));
    principal.expiresAt = expiresAt.every((t) => t === Number.POSITIVE_INFINITY) ? undefined : expiresAt;
  }

  private accountFor(accountId: string): AccountIndex {
    let account = this.accounts.get(accountId);
    if (!account) this.accounts.set(accountId, (account = new AccountIndex(accountId)));
    return account;
  }
}

function pushTo<K>(map: Map<K, CompiledPolicy[]>, key: K, p: CompiledPolicy): void {
  const list = map.get(key);
  if (list) list.push(p);
  else map.set(key, [p]);
}

function removeFrom<K>(map: Map<K, CompiledPolicy[]>, key: K, p: CompiledPolicy): void {
  const list = map.get(key);
  if (!list) return;
  removeItem(list, p);
  if (list.length === 0) map.delete(key);
}

function removeItem(list: CompiledPolicy[], p: CompiledPolicy): void {
  const i = list.indexOf(p);
  if (i >= 0) list.splice(i, 1);
}

