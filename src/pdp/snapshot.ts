import type { RoleGrants } from './grants.js';
import { DomainError } from '../kernel/errors.js';
import { AccountIndex } from './account-index.js';
import { compilePolicy } from './compile.js';
import { ServiceKeys } from './keys.js';
import { ActionControls, type ActionControl } from './action-controls.js';
import { Restrictions, type RestrictionRule, type RestrictionZone } from './restrictions.js';
import type { Policy } from './types.js';

/** The reserved group every caller belongs to while the account's public access is enabled. */
export const PUBLIC_ACCESS_GROUP = 'AccessGroupId-PublicAccess';

export interface MembershipInput {
  accountId: string;
  groupId: string;
  iamId: string;
  /** Dynamic (rule-based) memberships end at this time; omitted for static members. */
  expiresAt?: Date | number;
}

export interface SnapshotInput {
  catalog: RoleGrants;
  policies?: Iterable<Policy>;
  memberships?: Iterable<MembershipInput>;
  instances?: Iterable<{ accountId: string; instanceId: string; resourceGroupId: string }>;
  publicAccess?: Iterable<{ accountId: string; enabled: boolean }>;
  /** Context-based restrictions: network zones and the rules that name them. */
  zones?: Iterable<RestrictionZone>;
  rules?: Iterable<RestrictionRule>;
  /** Actions enterprises' action-control assignments take away in child accounts. */
  actionControls?: Iterable<ActionControl>;
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
  /** Context-based restrictions, the deny stage after the grant search (restrictions.ts). */
  readonly restrictions = new Restrictions();
  /** Enterprise action controls, a deny stage after the grant search (action-controls.ts). */
  readonly actionControls = new ActionControls();
  /** Every indexed policy by id, with its account and its slot in the account's table. */
  private readonly filed = new Map<string, { account: AccountIndex; slot: number }>();
  /** The last change-feed revision applied (maintained by the feed applier). */
  revision = 0;

  constructor(readonly catalog: RoleGrants) {}

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
    for (const z of input.zones ?? []) snapshot.restrictions.upsertZone(z);
    for (const r of input.rules ?? []) snapshot.restrictions.upsertRule(r);
    for (const c of input.actionControls ?? []) snapshot.actionControls.upsert(c);
    return { snapshot, rejected };
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
