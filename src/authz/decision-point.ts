import type { Catalog } from '../catalog/catalog.js';
import type { CustomRole } from '../catalog/types.js';
import { authorize, rolesOf, Snapshot, whoCan, type RoleGrant, type WhoCan, type WhoCanRequest } from '../pdp/index.js';
import type { Decision, DecisionRequest } from '../pdp/types.js';
import type { Clock } from '../kernel/clock.js';
import { DomainError } from '../kernel/errors.js';
import { followFeed, type ChangeFeed, type ChangeRecord, type FeedFollower } from '../store/changes.js';
import type { DecisionSource } from './source.js';

export interface DecideOptions {
  /** Answer from a snapshot at least this new (read-your-writes across nodes). */
  minRevision?: number;
  explain?: boolean;
}

/**
 * The decision point of one process: an in-memory snapshot loaded at start and kept current from
 * the change feed, one entity at a time (never rebuilt). Decisions are pure calls into src/pdp.
 */
export function createDecisionPoint(deps: {
  catalog: Catalog;
  source: DecisionSource;
  feed: ChangeFeed;
  clock: Clock;
  log?: (message: string, error?: unknown) => void;
  pollMs?: number;
  /** Told of every permit, with the permitting policy and the decision time (usage counts). */
  onPermit?: (policyId: string, atMs: number) => void;
  /** Told of every permit a report-only context-based restriction would have refused. */
  onReport?: (ruleId: string, request: DecisionRequest) => void;
}) {
  const { catalog, source, feed, clock } = deps;
  let snapshot = new Snapshot(catalog);
  /** The newest revision this process committed. */
  let localCommitted = 0;
  let follower: FeedFollower | undefined;

  /** Applies one change by re-reading the entity it names (so replays are harmless). */
  async function apply(change: ChangeRecord): Promise<void> {
    switch (change.entity) {
      case 'policy': {
        const policy = await source.policy(change.entityId);
        if (policy) snapshot.upsertPolicy(policy);
        else snapshot.removePolicy(change.entityId);
        return;
      }
      case 'catalog_service': {
        const service = await source.catalogService(change.entityId);
        if (service) catalog.register(service);
        else catalog.unregister(change.entityId);
        return;
      }
      case 'custom_role': {
        const role = await source.customRole(change.entityId);
        if (role) upsertCustomRole(change.entityId, role);
        else removeCustomRole(change.entityId);
        return;
      }
      case 'group_member': {
        // entityId is `<groupId>/<iamId>`: the identity's memberships in the account are re-read.
        const iamId = change.entityId.slice(change.entityId.indexOf('/') + 1);
        if (!change.accountId) return;
        snapshot.setMemberships(change.accountId, iamId, await source.membershipsOf(change.accountId, iamId));
        return;
      }
      case 'access_group':
        if (change.op === 'delete' && change.accountId) snapshot.removeGroup(change.accountId, change.entityId);
        return;
      case 'account':
      case 'group_settings':
        if (change.accountId) snapshot.setPublicAccess(change.accountId, await source.publicAccessOf(change.accountId));
        return;
      case 'cbr_zone': {
        const zone = await source.restrictionZone(change.entityId);
        if (zone) snapshot.restrictions.upsertZone(zone);
        else snapshot.restrictions.removeZone(change.entityId);
        return;
      }
      case 'cbr_rule': {
        const rule = await source.restrictionRule(change.entityId);
        if (rule) snapshot.restrictions.upsertRule(rule);
        else snapshot.restrictions.removeRule(change.entityId);
        return;
      }
      case 'action_control': {
        const control = await source.actionControl(change.entityId);
        if (control) snapshot.actionControls.upsert(control);
        else snapshot.actionControls.remove(change.entityId);
        return;
      }
      case 'resource_instance': {
        const placement = await source.instanceGroup(change.entityId);
        if (placement) snapshot.setInstanceGroup(placement.accountId, change.entityId, placement.resourceGroupId);
        else if (change.accountId) snapshot.removeInstance(change.accountId, change.entityId);
        return;
      }
    }
  }

  /** Custom roles are keyed by CRN in the catalog and by id on the feed. */
  const customRoleCrnById = new Map<string, string>();
  function upsertCustomRole(id: string, role: CustomRole) {
    catalog.upsertCustomRole(role);
    customRoleCrnById.set(id, role.crn);
  }
  function removeCustomRole(id: string) {
    const crn = customRoleCrnById.get(id);
    if (crn) catalog.removeCustomRole(crn);
    customRoleCrnById.delete(id);
  }

  async function applyBatch(changes: ChangeRecord[]) {
    for (const change of changes) {
      try {
        await apply(change);
      } catch (error) {
        // One entity that cannot be indexed must not stop the feed; it stays out of decisions.
        deps.log?.(`decision point: change ${change.entity} ${change.entityId} not applied`, error);
      }
    }
    snapshot.revision = changes[changes.length - 1]?.revision ?? snapshot.revision;
  }

  /** Sorted action lists per (service, role), rebuilt when the catalog changes. */
  const actionLists = new Map<string, readonly string[]>();
  let actionListsAt = -1;

  return {
    get snapshot() {
      return snapshot;
    },

    /** Loads everything as of the current feed head, then follows the feed. */
    async start(): Promise<void> {
      const head = await feed.head();
      for (const service of await source.catalogServices()) {
        try {
          catalog.register(service);
        } catch (error) {
          deps.log?.(`decision point: registered service ${service.name} not loaded`, error);
        }
      }
      for (const { id, role } of await source.customRoles()) {
        try {
          upsertCustomRole(id, role);
        } catch (error) {
          deps.log?.(`decision point: custom role ${role.crn} not loaded`, error);
        }
      }
      const built = Snapshot.build({
        catalog,
        policies: await source.activePolicies(),
        memberships: await source.memberships(),
        instances: await source.instanceGroups(),
        publicAccess: await source.publicAccess(),
        zones: await source.restrictionZones(),
        rules: await source.restrictionRules(),
        actionControls: await source.actionControls(),
      });
      for (const r of built.rejected) deps.log?.(`decision point: policy ${r.policyId} not loaded`, r.error);
      snapshot = built.snapshot;
      snapshot.revision = head;
      follower = followFeed(feed, head, applyBatch, deps.pollMs);
    },

    stop() {
      follower?.stop();
    },

    /** Wakes the follower (a PostgreSQL notification of another node's write). */
    poke() {
      follower?.poke();
    },

    /**
     * A write of this process committed `revision`: every later decision on this node waits until
     * it is applied, so this node's decisions always reflect its own writes.
     */
    committed(revision: number) {
      if (revision > localCommitted) localCommitted = revision;
      follower?.poke();
    },

    get revision() {
      return follower?.revision ?? snapshot.revision;
    },

    /** Waits until the snapshot holds `minRevision` (if given) and this process's own writes. */
    async ensureRevision(minRevision: number | undefined): Promise<void> {
      const target = Math.max(minRevision ?? 0, localCommitted);
      if (!follower || target <= follower.revision) return;
      try {
        await follower.waitFor(target);
      } catch {
        throw new DomainError('precondition_failed', 'revision_not_available', `Revision ${target} is not available on this node yet.`);
      }
    },

    async decide(requests: readonly DecisionRequest[], options: DecideOptions = {}): Promise<Decision[]> {
      await this.ensureRevision(options.minRevision);
      const now = clock.now();
      const decisions = authorize(requests, snapshot, { now, explain: options.explain });
      if (deps.onPermit) {
        const atMs = now.getTime();
        for (const d of decisions) if (d.permitted && d.policyId !== undefined) deps.onPermit(d.policyId, atMs);
      }
      if (deps.onReport) {
        for (let i = 0; i < decisions.length; i++) {
          const ruleId = decisions[i]!.reportedRuleId;
          if (ruleId !== undefined) deps.onReport(ruleId, requests[i]!);
        }
      }
      return decisions;
    },

    /** The actions a role carries on the request's service, sorted (shared; do not modify). */
    actionsOf(role: string, request: DecisionRequest): readonly string[] {
      if (actionListsAt !== catalog.revision) {
        actionLists.clear();
        actionListsAt = catalog.revision;
      }
      const serviceName = request.resource.serviceName || catalog.serviceOfAction(request.action) || '';
      const key = `${serviceName}\u0000${role}`;
      let list = actionLists.get(key);
      if (!list) {
        list = [...(catalog.grantsOn(serviceName)?.actionsByRole.get(role) ?? [])].sort();
        actionLists.set(key, list);
      }
      return list;
    },

    async roles(request: Omit<DecisionRequest, 'action'>, options: DecideOptions = {}): Promise<RoleGrant[]> {
      await this.ensureRevision(options.minRevision);
      return rolesOf(request, snapshot, { now: clock.now() });
    },

    /** Who is permitted an action on a resource now (pdp/who-can.ts), at least at `minRevision`. */
    async whoCan(request: WhoCanRequest, options: DecideOptions = {}): Promise<WhoCan> {
      await this.ensureRevision(options.minRevision);
      return whoCan(request, snapshot, { now: clock.now() });
    },
  };
}

export type DecisionPoint = ReturnType<typeof createDecisionPoint>;
