import type { RoleGrants } from './grants.js';
import type { CompiledPolicy } from './compile.js';
import { ANY_SERVICE_KEY, indexKey, KIND_MASK, KeyKind, kindOf, ordinalOf, type ServiceKeys } from './keys.js';
import { Field, PolicyTable, RECORD_SIZE } from './policy-table.js';
import { ReachTable } from './reach.js';
import { doubled } from './typed-arrays.js';

/** An access group's subject id, and how many identities it has as members. */
interface GroupEntry {
  readonly subject: number;
  members: number;
}

/**
 * Everything the decision point knows about one account, laid out so that a decision reads few
 * and compact memory locations: small integers and typed arrays rather than objects.
 *
 * Every subject that has policies (an identity, an access group, the source service of
 * authorization policies) has a subject id; every instance, resource group and resource that
 * policies are scoped to or that a decision needs (an instance's resource group) has a scope
 * ordinal. Every active policy is filed in `table` under its subject id and one index key.
 * Ids and ordinals are reused only once nothing refers to them.
 */
let nextOrdinal = 0;

export class AccountIndex {
  /**
   * A small integer unique to this object, so another index of the account (the restriction
   * stage's) can find its data by array index rather than by the account id's hash and compare.
   */
  readonly ordinal = nextOrdinal++;
  readonly table = new PolicyTable();
  /** For identities with policies or memberships: the subjects that reach them. */
  readonly reach = new ReachTable();
  /** By IAM id, for identities with a membership that ends: epoch ms per group, in `reach` order. */
  readonly expiries = new Map<string, Float64Array>();
  /** iamId → groupId → epoch ms when the membership ends (Infinity: static); `reach` is derived from it. */
  readonly membership = new Map<string, Map<string, number>>();
  /** Access groups with policies or members. */
  readonly groups = new Map<string, GroupEntry>();
  /** By subject id, for access groups: the group id (explanations name the group). */
  readonly groupIds: Array<string | undefined> = [];
  /** Subject ids of authorization policies by their source `serviceName`; `undefined` key = any source service. */
  readonly sourceServices = new Map<string | undefined, number>();
  /** By subject id: how many policies are filed under it. */
  sizes = new Int32Array(64);

  /** Scope ordinals of instances with a known resource group or scoped policies. */
  readonly instances = new Map<string, number>();
  /** Scope ordinals of resource groups with instances or scoped policies. */
  readonly resourceGroups = new Map<string, number>();
  /** Scope ordinals of resources (`resource` attribute values) with policies scoped to them. */
  readonly resources = new Map<string, number>();
  /** By scope ordinal: how many policies are filed under it. */
  scopeFiled = new Int32Array(64);
  /** By instance ordinal: its resource group's ordinal, -1 when unknown. By resource group ordinal: how many instances it has. */
  scopeLink = new Int32Array(64);
  /** By scope ordinal: the instance, resource group or resource id. */
  readonly scopeIds: Array<string | undefined> = [];

  /** Policies filed per key kind, so a decision skips the kinds nobody uses. */
  readonly filedByKind = new Int32Array(KIND_MASK + 1);
  publicAccess = false;
  private readonly subjectIds = new Ordinals();
  private readonly scopeOrdinals = new Ordinals();

  constructor(readonly accountId: string) {}

  /** The subject id of a policy's subject, or -1 when it has none (and `create` is false). */
  subjectOf(p: CompiledPolicy, create: boolean): number {
    const subject = p.policy.subject;
    if (subject.kind === 'iam_id') {
      const own = this.reach.ownOf(subject.iamId);
      if (own >= 0 || !create) return own;
      const created = this.newSubject();
      this.reach.setOwn(subject.iamId, created);
      return created;
    }
    if (subject.kind === 'access_group') return create ? this.group(subject.groupId).subject : (this.groups.get(subject.groupId)?.subject ?? -1);
    let id = this.sourceServices.get(p.placement.subjectService);
    if (id === undefined && create) this.sourceServices.set(p.placement.subjectService, (id = this.newSubject()));
    return id ?? -1;
  }

  /**
   * Replaces an identity's group memberships with `groups` (group id → epoch ms when it ends,
   * Infinity for a static one), which the index keeps.
   */
  setMemberships(iamId: string, groups: Map<string, number>): void {
    const previous = this.membership.get(iamId)?.keys() ?? [];
    const subjects: number[] = [];
    for (const groupId of groups.keys()) {
      const group = this.group(groupId);
      group.members++;
      subjects.push(group.subject);
    }
    const ends = [...groups.values()];
    const expiring = ends.some((t) => t !== Number.POSITIVE_INFINITY);
    this.reach.write(iamId, this.reach.ownOf(iamId), expiring, subjects);
    if (expiring) this.expiries.set(iamId, Float64Array.from(ends));
    else this.expiries.delete(iamId);
    for (const groupId of previous) {
      const group = this.groups.get(groupId);
      if (group) group.members--;
      this.forgetGroupIfIdle(groupId);
    }
    if (groups.size === 0) this.membership.delete(iamId);
    else this.membership.set(iamId, groups);
  }

  /** Files a policy under `subject` and its scope or service key; returns its table slot. */
  add(p: CompiledPolicy, subject: number, keys: ServiceKeys, catalog: RoleGrants): number {
    const { service, scope } = p.placement;
    const serviceKey = service ? keys.keyOf(service.by, service.value) : -1;
    const scopeOrdinal =
      scope?.by === 'serviceInstance' ? this.scope(this.instances, scope.value, KeyKind.Instance)
      : scope?.by === 'resourceGroupId' ? this.scope(this.resourceGroups, scope.value, KeyKind.ResourceGroup)
      : scope?.by === 'resource' ? this.scope(this.resources, scope.value, KeyKind.Resource)
      : -1;
    let key = serviceKey >= 0 ? serviceKey : ANY_SERVICE_KEY;
    if (scope !== undefined) {
      this.scopeFiled[scopeOrdinal]!++;
      key = indexKey(scopeOrdinal, scope.by === 'serviceInstance' ? KeyKind.Instance : scope.by === 'resourceGroupId' ? KeyKind.ResourceGroup : KeyKind.Resource);
    }
    const fast = p.subjectTests.length === 0 && p.residualTests.length === 0 && p.tagTests.length === 0 && p.rule === undefined && p.roleCount <= 2;
    const roleOrdinal = (i: number) => (fast && i < p.roleCount ? catalog.roleOrdinal(p.roles[i]!) : -1);
    const slot = this.table.add(subject, key, p, { serviceKey, fast, role0: roleOrdinal(0), role1: roleOrdinal(1) });
    this.sizes[subject]!++;
    this.filedByKind[kindOf(key)]!++;
    return slot;
  }

  /** Unfiles the policy in `slot`, dropping the subject and scope entries nothing needs any more. */
  remove(slot: number): void {
    const p = this.table.policies[slot]!;
    const at = slot * RECORD_SIZE;
    const subject = this.table.records[at + Field.Subject]!;
    const key = this.table.records[at + Field.Key]!;
    this.filedByKind[kindOf(key)]!--;
    this.sizes[subject]!--;
    this.table.remove(slot);
    const scope = p.placement.scope;
    if (scope !== undefined) {
      const ordinal = ordinalOf(key);
      this.scopeFiled[ordinal]!--;
      if (scope.by === 'serviceInstance') this.forgetInstanceIfIdle(scope.value);
      else if (scope.by === 'resourceGroupId') this.forgetResourceGroupIfIdle(scope.value);
      else if (this.scopeFiled[ordinal] === 0) this.forgetScope(this.resources, scope.value);
    }
    if (this.sizes[subject] === 0) this.forgetSubject(p);
  }

  /** Places an instance in a resource group (undefined: forgets where it lives). */
  setInstanceGroup(instanceId: string, resourceGroupId: string | undefined): void {
    let instance = this.instances.get(instanceId);
    if (instance === undefined && resourceGroupId === undefined) return;
    instance ??= this.scope(this.instances, instanceId, KeyKind.Instance);
    const previous = this.scopeLink[instance]!;
    const next = resourceGroupId === undefined ? -1 : this.scope(this.resourceGroups, resourceGroupId, KeyKind.ResourceGroup);
    if (previous === next) return;
    this.scopeLink[instance] = next;
    if (next >= 0) this.scopeLink[next]!++;
    if (previous >= 0) {
      this.scopeLink[previous]!--;
      this.forgetResourceGroupIfIdle(this.scopeIds[previous]!);
    }
    this.forgetInstanceIfIdle(instanceId);
  }

  /** The resource group an instance lives in, when known. */
  resourceGroupOf(instanceId: string): string | undefined {
    const instance = this.instances.get(instanceId);
    const group = instance === undefined ? -1 : this.scopeLink[instance]!;
    return group < 0 ? undefined : this.scopeIds[group];
  }

  private group(groupId: string): GroupEntry {
    let entry = this.groups.get(groupId);
    if (!entry) {
      this.groups.set(groupId, (entry = { subject: this.newSubject(), members: 0 }));
      this.groupIds[entry.subject] = groupId;
    }
    return entry;
  }

  private forgetGroupIfIdle(groupId: string): void {
    const entry = this.groups.get(groupId);
    if (!entry || entry.members !== 0 || this.sizes[entry.subject] !== 0) return;
    this.groups.delete(groupId);
    this.groupIds[entry.subject] = undefined;
    this.subjectIds.give(entry.subject);
  }

  /** Forgets the subject of a policy whose subject has no policies left (a group's stays while it has members). */
  private forgetSubject(p: CompiledPolicy): void {
    const subject = p.policy.subject;
    if (subject.kind === 'access_group') return this.forgetGroupIfIdle(subject.groupId);
    if (subject.kind === 'iam_id') {
      this.subjectIds.give(this.reach.ownOf(subject.iamId));
      if (this.membership.has(subject.iamId)) this.reach.setOwn(subject.iamId, -1);
      else this.reach.drop(subject.iamId);
    } else {
      this.subjectIds.give(this.sourceServices.get(p.placement.subjectService)!);
      this.sourceServices.delete(p.placement.subjectService);
    }
  }

  private newSubject(): number {
    const id = this.subjectIds.take();
    if (id >= this.sizes.length) this.sizes = doubled(this.sizes);
    this.sizes[id] = 0;
    return id;
  }

  /** The ordinal of an instance, resource group or resource, made on first use. */
  private scope(ordinals: Map<string, number>, id: string, kind: KeyKind): number {
    let ordinal = ordinals.get(id);
    if (ordinal !== undefined) return ordinal;
    ordinal = this.scopeOrdinals.take();
    if (ordinal >= this.scopeFiled.length) {
      this.scopeFiled = doubled(this.scopeFiled);
      this.scopeLink = doubled(this.scopeLink);
    }
    this.scopeFiled[ordinal] = 0;
    this.scopeLink[ordinal] = kind === KeyKind.Instance ? -1 : 0;
    this.scopeIds[ordinal] = id;
    ordinals.set(id, ordinal);
    return ordinal;
  }

  private forgetInstanceIfIdle(instanceId: string): void {
    const instance = this.instances.get(instanceId);
    if (instance !== undefined && this.scopeLink[instance]! < 0 && this.scopeFiled[instance] === 0) this.forgetScope(this.instances, instanceId);
  }

  private forgetResourceGroupIfIdle(resourceGroupId: string): void {
    const group = this.resourceGroups.get(resourceGroupId);
    if (group !== undefined && this.scopeLink[group] === 0 && this.scopeFiled[group] === 0) this.forgetScope(this.resourceGroups, resourceGroupId);
  }

  private forgetScope(ordinals: Map<string, number>, id: string): void {
    const ordinal = ordinals.get(id)!;
    ordinals.delete(id);
    this.scopeIds[ordinal] = undefined;
    this.scopeOrdinals.give(ordinal);
  }
}

/** Small integers handed out and taken back, so the arrays indexed by them stay as large as what is live. */
class Ordinals {
  private next = 0;
  private readonly free: number[] = [];

  take(): number {
    return this.free.pop() ?? this.next++;
  }

  give(ordinal: number): void {
    this.free.push(ordinal);
  }
}
