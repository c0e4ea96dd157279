import type { Catalog, ServiceGrants } from '../catalog/catalog.js';
import { DomainError } from '../kernel/errors.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { FAST, Field, NEEDS_POLICY, PolicyTable, RECORD_SIZE } from './policy-table.js';
import type { Policy } from './types.js';

/** The reserved group every caller belongs to while the account's public access is enabled. */
export const PUBLIC_ACCESS_GROUP = 'AccessGroupId-PublicAccess';

/**
 * The kinds of index key, in a key's low three bits (the rest is an ordinal: ServiceKeys' for the
 * service kinds, the account's own for scopes). A policy is filed under its subject and one key:
 * its scope (an instance, a resource group, a resource) if it has one, else its service key (an
 * exact service name, a service type, a service group), else "any service".
 */
export const KeyKind = { ServiceName: 0, ServiceType: 1, ServiceGroup: 2, AnyService: 3, Instance: 4, ResourceGroup: 5, Resource: 6 } as const;
type KeyKind = (typeof KeyKind)[keyof typeof KeyKind];
const KIND_BITS = 3;
const KIND_MASK = (1 << KIND_BITS) - 1;
const indexKey = (ordinal: number, kind: KeyKind) => (ordinal << KIND_BITS) | kind;
const kindOf = (key: number) => (key & KIND_MASK) as KeyKind;
/** The one key of policies that name no service and no scope. */
export const ANY_SERVICE_KEY = indexKey(0, KeyKind.AnyService);

/**
 * Index keys for the service keys policies are filed under (an exact service name, a service
 * type, a service group), shared by every account and never reused.
 */
export class ServiceKeys {
  private readonly keys = { name: new Map<string, number>(), type: new Map<string, number>(), group: new Map<string, number>() };
  private next = 0;
  /**
   * By ServiceGrants ordinal: the name, type and group keys of that service (-1: none), or
   * undefined until first asked. Cleared whenever a key is added.
   */
  private byGrants: Array<Int32Array | undefined> = [];

  keyOf(by: 'name' | 'type' | 'group', value: string): number {
    const map = this.keys[by];
    let key = map.get(value);
    if (key === undefined) {
      key = indexKey(this.next++, by === 'name' ? KeyKind.ServiceName : by === 'type' ? KeyKind.ServiceType : KeyKind.ServiceGroup);
      map.set(value, key);
      this.byGrants = [];
    }
    return key;
  }

  /**
   * The keys of `serviceName` (normally the service of `grants`; rolesOf may pass none), of its
   * type and of its group: one array read once cached.
   */
  of(grants: ServiceGrants, serviceName: string | undefined): Int32Array {
    let keys = serviceName === grants.service.name ? this.byGrants[grants.ordinal] : undefined;
    if (keys === undefined) {
      keys = Int32Array.of(this.find('name', serviceName), this.find('type', grants.type), this.find('group', grants.groupId));
      if (serviceName === grants.service.name) this.byGrants[grants.ordinal] = keys;
    }
    return keys;
  }

  /** The key of a service key some policy was filed under, or -1. */
  private find(by: 'name' | 'type' | 'group', value: string | undefined): number {
    return value === undefined ? -1 : (this.keys[by].get(value) ?? -1);
  }
}

/**
 * An instance, resource group or resource of an account as the index knows it: its index key and
 * how many policies are filed under it (a decision probes the key only when some are).
 */
export class ScopeEntry {
  filed = 0;
  /** Instances that live in this resource group (resource groups only). */
  instances = 0;

  constructor(
    readonly id: string,
    readonly key: number,
  ) {}
}

/** An instance, and the resource group it lives in when known. */
export class InstanceEntry extends ScopeEntry {
  group: ScopeEntry | undefined;
}

const NO_GROUPS: readonly never[] = [];

/** An access group's subject id, and how many identities it has as members. */
interface GroupEntry {
  readonly subject: number;
  members: number;
}

/**
 * One identity in an account: the subject id of its own access policies and its group
 * memberships, together and flat so a decision finds both with one lookup. The memberships are
 * parallel arrays, scanned without allocating.
 */
export interface Principal {
  /** Subject id of the identity's own policies; -1: it has none. */
  own: number;
  groupIds: readonly string[];
  /** The groups' subject ids, so a decision needs no lookup per group. */
  groupSubjects: readonly number[];
  /** Epoch ms after which each membership no longer counts; undefined when all are static. */
  expiresAt: readonly number[] | undefined;
}

/**
 * Everything the decision point knows about one account. Each subject that has policies (an
 * identity, an access group, an authorization policy's source service) gets a small integer id,
 * and every active policy is filed in `table` under its subject id and one index key.
 */
export class AccountIndex {
  readonly table = new PolicyTable();
  /** Identities with policies or memberships, by IAM id. */
  readonly principals = new Map<string, Principal>();
  /** Access groups with policies or members. */
  readonly groups = new Map<string, GroupEntry>();
  /** Subject ids of authorization policies by their source `serviceName`; `undefined` key = any source service. */
  readonly sourceServices = new Map<string | undefined, number>();
  /** Source of the principals' memberships: iamId → groupId → expiry. */
  readonly membership = new Map<string, Map<string, number>>();
  /** Instances with a known resource group or scoped policies. */
  readonly instances = new Map<string, InstanceEntry>();
  /** Resource groups with instances or scoped policies. */
  readonly resourceGroups = new Map<string, ScopeEntry>();
  /** Resources (`resource` attribute values) with policies scoped to them. */
  readonly resources = new Map<string, ScopeEntry>();
  /** Policies filed per subject id. */
  sizes = new Int32Array(64);
  /** Policies filed per key kind, so a decision skips the kinds nobody uses. */
  readonly filedByKind = new Int32Array(KIND_MASK + 1);
  publicAccess = false;
  /** Subject ids and scope ordinals are never reused, so a stale id can never match. */
  private nextSubject = 0;
  private nextScope = 0;

  constructor(readonly accountId: string) {}

  /** The subject id of a policy's subject, or -1 when it has none (and `create` is false). */
  subjectOf(p: CompiledPolicy, create: boolean): number {
    const subject = p.policy.subject;
    if (subject.kind === 'iam_id') {
      const principal = create ? this.principal(subject.iamId) : this.principals.get(subject.iamId);
      if (principal !== undefined && principal.own < 0 && create) principal.own = this.newSubject();
      return principal?.own ?? -1;
    }
    if (subject.kind === 'access_group') return create ? this.group(subject.groupId).subject : (this.groups.get(subject.groupId)?.subject ?? -1);
    let id = this.sourceServices.get(p.placement.subjectService);
    if (id === undefined && create) this.sourceServices.set(p.placement.subjectService, (id = this.newSubject()));
    return id ?? -1;
  }

  principal(iamId: string): Principal {
    let principal = this.principals.get(iamId);
    if (!principal) this.principals.set(iamId, (principal = { own: -1, groupIds: NO_GROUPS, groupSubjects: NO_GROUPS, expiresAt: undefined }));
    return principal;
  }

  /** Forgets an identity that has neither policies nor memberships left. */
  forgetIfIdle(iamId: string): void {
    const principal = this.principals.get(iamId);
    if (principal && principal.own < 0 && principal.groupIds.length === 0) this.principals.delete(iamId);
  }

  /**
   * Replaces an identity's group memberships with `groups` (group id → epoch ms when it ends,
   * Infinity for a static one), which the index keeps.
   */
  setMemberships(iamId: string, groups: Map<string, number>): void {
    const principal = this.principal(iamId);
    const previous = principal.groupIds;
    for (const groupId of groups.keys()) this.group(groupId).members++;
    if (groups.size === 0) {
      this.membership.delete(iamId);
      principal.groupIds = principal.groupSubjects = NO_GROUPS;
      principal.expiresAt = undefined;
    } else {
      this.membership.set(iamId, groups);
      const expiresAt = [...groups.values()];
      principal.groupIds = [...groups.keys()];
      principal.groupSubjects = principal.groupIds.map((g) => this.group(g).subject);
      principal.expiresAt = expiresAt.every((t) => t === Number.POSITIVE_INFINITY) ? undefined : expiresAt;
    }
    for (const groupId of previous) {
      const entry = this.groups.get(groupId);
      if (entry) entry.members--;
      this.forgetGroupIfIdle(groupId);
    }
    this.forgetIfIdle(iamId);
  }

  private group(groupId: string): GroupEntry {
    let entry = this.groups.get(groupId);
    if (!entry) this.groups.set(groupId, (entry = { subject: this.newSubject(), members: 0 }));
    return entry;
  }

  private forgetGroupIfIdle(groupId: string): void {
    const entry = this.groups.get(groupId);
    if (entry && entry.members === 0 && this.sizes[entry.subject] === 0) this.groups.delete(groupId);
  }

  /** Files a policy under `subject` and its scope or service key; returns its table slot. */
  add(p: CompiledPolicy, subject: number, keys: ServiceKeys, catalog: Catalog): number {
    const { service, scope } = p.placement;
    const serviceKey = service ? keys.keyOf(service.by, service.value) : -1;
    const entry =
      scope?.by === 'serviceInstance' ? this.instanceEntry(scope.value)
      : scope?.by === 'resourceGroupId' ? this.resourceGroup(scope.value)
      : scope?.by === 'resource' ? this.resource(scope.value)
      : undefined;
    if (entry) entry.filed++;
    const key = entry?.key ?? (serviceKey >= 0 ? serviceKey : ANY_SERVICE_KEY);
    const fast = p.subjectTests.length === 0 && p.residualTests.length === 0 && p.tagTests.length === 0 && p.rule === undefined && p.roleCount <= 2;
    const roleOrdinal = (i: number) => (fast && i < p.roleCount ? catalog.roleOrdinal(p.roles[i]!) : -1);
    const slot = this.table.add(subject, key, p, { serviceKey, flags: fast ? FAST : NEEDS_POLICY, role0: roleOrdinal(0), role1: roleOrdinal(1) });
    this.sizes[subject]!++;
    this.filedByKind[kindOf(key)]!++;
    return slot;
  }

  /** Unfiles the policy in `slot`, dropping the subject and scope entries nothing needs any more. */
  remove(slot: number): void {
    const p = this.table.policies[slot]!;
    const at = slot * RECORD_SIZE;
    const subject = this.table.records[at + Field.Subject]!;
    this.filedByKind[kindOf(this.table.records[at + Field.Key]!)]!--;
    this.sizes[subject]!--;
    this.table.remove(slot);
    const scope = p.placement.scope;
    if (scope?.by === 'serviceInstance') {
      const entry = this.instances.get(scope.value);
      if (entry) entry.filed--;
      this.forgetInstanceIfIdle(scope.value);
    } else if (scope?.by === 'resourceGroupId') {
      const entry = this.resourceGroups.get(scope.value);
      if (entry) entry.filed--;
      this.forgetResourceGroupIfIdle(scope.value);
    } else if (scope?.by === 'resource') {
      const entry = this.resources.get(scope.value);
      if (entry && --entry.filed === 0) this.resources.delete(scope.value);
    }
    if (this.sizes[subject] === 0) this.forgetSubject(p);
  }

  instanceEntry(instanceId: string): InstanceEntry {
    let entry = this.instances.get(instanceId);
    if (!entry) this.instances.set(instanceId, (entry = new InstanceEntry(instanceId, this.newScope(KeyKind.Instance))));
    return entry;
  }

  /** Places an instance in a resource group (undefined: forgets where it lives). */
  setInstanceGroup(instanceId: string, resourceGroupId: string | undefined): void {
    const entry = resourceGroupId === undefined ? this.instances.get(instanceId) : this.instanceEntry(instanceId);
    if (!entry || entry.group?.id === resourceGroupId) return;
    const previous = entry.group;
    entry.group = resourceGroupId === undefined ? undefined : this.resourceGroup(resourceGroupId);
    if (entry.group) entry.group.instances++;
    if (previous) {
      previous.instances--;
      this.forgetResourceGroupIfIdle(previous.id);
    }
    this.forgetInstanceIfIdle(instanceId);
  }

  private resourceGroup(resourceGroupId: string): ScopeEntry {
    let entry = this.resourceGroups.get(resourceGroupId);
    if (!entry) this.resourceGroups.set(resourceGroupId, (entry = new ScopeEntry(resourceGroupId, this.newScope(KeyKind.ResourceGroup))));
    return entry;
  }

  private resource(resource: string): ScopeEntry {
    let entry = this.resources.get(resource);
    if (!entry) this.resources.set(resource, (entry = new ScopeEntry(resource, this.newScope(KeyKind.Resource))));
    return entry;
  }

  private forgetInstanceIfIdle(instanceId: string): void {
    const entry = this.instances.get(instanceId);
    if (entry && entry.group === undefined && entry.filed === 0) this.instances.delete(instanceId);
  }

  private forgetResourceGroupIfIdle(resourceGroupId: string): void {
    const entry = this.resourceGroups.get(resourceGroupId);
    if (entry && entry.instances === 0 && entry.filed === 0) this.resourceGroups.delete(resourceGroupId);
  }

  /** Forgets the subject of a policy whose subject has no policies left (a group's stays while it has members). */
  private forgetSubject(p: CompiledPolicy): void {
    const subject = p.policy.subject;
    if (subject.kind === 'iam_id') {
      this.principal(subject.iamId).own = -1;
      this.forgetIfIdle(subject.iamId);
    } else if (subject.kind === 'access_group') this.forgetGroupIfIdle(subject.groupId);
    else this.sourceServices.delete(p.placement.subjectService);
  }

  private newSubject(): number {
    const id = this.nextSubject++;
    if (id >= this.sizes.length) {
      const grown = new Int32Array(2 * this.sizes.length);
      grown.set(this.sizes);
      this.sizes = grown;
    }
    return id;
  }

  private newScope(kind: KeyKind): number {
    return indexKey(this.nextScope++, kind);
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
 * The in-memory index the decision point evaluates against, per account (AccountIndex): every
 * policy filed by subject and scope or service key; group memberships; instance → resource group;
 * public-access settings; and the catalog's role → action sets (read live from the catalog, which
 * keeps them current).
 * Every update touches only the entries it concerns.
 */
export class Snapshot {
  readonly accounts = new Map<string, AccountIndex>();
  readonly serviceKeys = new ServiceKeys();
  /** Every indexed policy by id, with its account and its slot in the account's table. */
  private readonly filed = new Map<string, { account: AccountIndex; slot: number }>();
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
    const filed = this.filed.get(id);
    return filed?.account.table.policies[filed.slot]!.policy;
  }

  get policyCount(): number {
    return this.filed.size;
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
    this.filed.set(policy.id, { account, slot: account.add(next, account.subjectOf(next, true), this.serviceKeys, this.catalog) });
  }

  removePolicy(policyId: string): void {
    const filed = this.filed.get(policyId);
    if (!filed) return;
    this.filed.delete(policyId);
    filed.account.remove(filed.slot);
  }

  /** Replaces all of an identity's group memberships in an account. */
  setMemberships(accountId: string, iamId: string, groups: ReadonlyArray<{ groupId: string; expiresAt?: Date | number }>): void {
    const account = this.accountFor(accountId);
    const next = new Map<string, number>();
    for (const g of groups) next.set(g.groupId, Math.max(next.get(g.groupId) ?? -Infinity, epochMs(g.expiresAt)));
    account.setMemberships(iamId, next);
  }

  /**
   * Adds an identity to a group. A static and a dynamic membership of the same group combine: the
   * later expiry wins.
   */
  addMember(accountId: string, groupId: string, iamId: string, expiresAt?: Date | number): void {
    const account = this.accountFor(accountId);
    const groups = new Map(account.membership.get(iamId));
    groups.set(groupId, Math.max(groups.get(groupId) ?? -Infinity, epochMs(expiresAt)));
    account.setMemberships(iamId, groups);
  }

  removeMember(accountId: string, groupId: string, iamId: string): void {
    const account = this.accounts.get(accountId);
    const current = account?.membership.get(iamId);
    if (!account || !current?.has(groupId)) return;
    const groups = new Map(current);
    groups.delete(groupId);
    account.setMemberships(iamId, groups);
  }

  /**
   * Forgets every membership of a deleted group, and the group once its policies are gone (they
   * are removed one by one).
   */
  removeGroup(accountId: string, groupId: string): void {
    const account = this.accounts.get(accountId);
    if (!account) return;
    for (const [iamId, groups] of account.membership) {
      if (groups.has(groupId)) this.removeMember(accountId, groupId, iamId);
    }
  }

  setInstanceGroup(accountId: string, instanceId: string, resourceGroupId: string): void {
    this.accountFor(accountId).setInstanceGroup(instanceId, resourceGroupId);
  }

  removeInstance(accountId: string, instanceId: string): void {
    this.accounts.get(accountId)?.setInstanceGroup(instanceId, undefined);
  }

  /** Whether policies on `AccessGroupId-PublicAccess` apply to everyone (off until set). */
  setPublicAccess(accountId: string, enabled: boolean): void {
    this.accountFor(accountId).publicAccess = enabled;
  }

  private accountFor(accountId: string): AccountIndex {
    let account = this.accounts.get(accountId);
    if (!account) this.accounts.set(accountId, (account = new AccountIndex(accountId)));
    return account;
  }
}
