import { customRoleCrn, platformRoles, type Catalog, type CatalogService, type Role } from '../catalog/index.js';
import { isAllowed, type Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { ids } from '../kernel/ids.js';
import { expectedTag, nextTag, onCurrentVersion, staleTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import { createAudited, type AuditSubject, type Commit, type MutationTools } from '../store/audited.js';
import type { Write, Writer } from '../store/unit-of-work.js';
import { isUniqueViolation } from '../store/conflicts.js';
import { policyErrors } from './errors.js';
import type { PolicyStore } from './store.js';
import type { CustomRoleStore } from './roles-store.js';
import { grantTargets, ROLE_MANAGEMENT } from './targets.js';
import type { CustomRoleInput, CustomRoleRecord, RoleListQuery } from './types.js';
import type { SystemRoleView } from './wire.js';

export interface RoleServiceDeps {
  store: CustomRoleStore;
  policies: Pick<PolicyStore, 'countActiveGranting' | 'listActiveGranting'>;
  catalog: Catalog;
  authorizer: Authorizer;
  writer: Writer;
  clock: Clock;
}

/** `name` appears in the role's CRN: capitalised alphanumerics (authz.md §5). */
export const ROLE_NAME = /^[A-Z][A-Za-z0-9]{0,29}$/;
const MAX_DISPLAY_NAME = 50;
const MAX_DESCRIPTION = 250;
const PLATFORM_ROLES: readonly string[] = Object.values(platformRoles).map((r) => r.crn);

const roleTarget = (accountId: string) => ({ accountId, serviceName: ROLE_MANAGEMENT });

/** IBM's custom role id: the hex of the ASCII text `customRole-<32 hex>-<Name>` (identifiers.md §4). */
export const customRoleId = (name: string) => Buffer.from(`customRole-${ids.hex32()}-${name}`, 'ascii').toString('hex');

/**
 * The roles API (authz.md §5): the catalog's system and service roles, and each account's custom
 * roles. Custom roles are guarded by `iam-access-management.customRole.*` on the account's role
 * management service. Every custom-role change is published as a `custom_role` change so the
 * decision point refreshes its catalog from the store. Changing a role's actions changes what every
 * policy granting it grants, so it is also a grant on each of them (authz.md §3.1): the caller must
 * be allowed to update every one. Roles of another account are reported exactly like missing ones.
 */
export function createRoleService(deps: RoleServiceDeps) {
  const { store, catalog, clock } = deps;
  const audited = createAudited(deps);

  /** A system or service role with the actions it grants on `services`. */
  const systemRole = (role: Role, services: readonly CatalogService[]): SystemRoleView => {
    const actions = new Set<string>();
    for (const s of services) for (const a of catalog.actionsOf(role.crn, s.name)) actions.add(a);
    return { role, actions: [...actions].sort() };
  };

  const facts = (action: string, r: { id: string; accountId: string }): AuditSubject => ({
    action,
    targetType: 'custom_role',
    targetId: r.id,
    accountId: r.accountId,
  });

  function checkText(displayName: string, description: string | undefined): void {
    if (displayName.trim() === '' || displayName.length > MAX_DISPLAY_NAME) {
      throw policyErrors.invalidBody(`display_name has 1 to ${MAX_DISPLAY_NAME} characters.`);
    }
    if (description !== undefined && description.length > MAX_DESCRIPTION) {
      throw policyErrors.invalidBody(`description has at most ${MAX_DESCRIPTION} characters.`);
    }
  }

  /** Sorted, de-duplicated actions, all of them `serviceName`'s own per the catalog. */
  function checkedActions(serviceName: string, actions: readonly string[]): string[] {
    if (actions.length === 0) throw policyErrors.invalidBody('A custom role needs at least one action.');
    for (const action of actions) {
      if (catalog.serviceOfAction(action) !== serviceName) {
        throw policyErrors.invalidBody(`Action ${action} is not an action of service ${serviceName}.`);
      }
    }
    return [...new Set(actions)].sort();
  }

  const sameActions = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

  /** The other role of the account with exactly these actions, if any (such a role would be a 409). */
  async function twinOf(role: CustomRoleRecord): Promise<CustomRoleRecord | undefined> {
    const siblings = await store.listCustomRoles(role.accountId, role.serviceName);
    return siblings.find((r) => r.id !== role.id && sameActions(r.actions, role.actions));
  }

  const twinConflict = (twin: CustomRoleRecord) => policyErrors.roleConflict(`Role ${twin.name} already has exactly these actions.`, twin);

  async function existing(actor: Actor, id: string): Promise<CustomRoleRecord> {
    const role = await store.getCustomRole(id);
    if (!role || role.accountId !== actor.principal.accountId) throw policyErrors.roleNotFound(id);
    return role;
  }

  /** New actions for a role re-grant it through every active policy granting it: `iam.policy.update` on each one's scope. */
  async function authorizeRegrant(tools: MutationTools, role: CustomRoleRecord): Promise<void> {
    for (const policy of await deps.policies.listActiveGranting(role.accountId, role.crn)) {
      for (const target of grantTargets(policy.accountId, policy.resource, catalog)) await tools.authorize('iam.policy.update', target);
    }
  }

  /** Runs the write; a unique-index violation (a racing create with the same name) becomes a 409. */
  async function commitRole(commit: Commit, role: CustomRoleRecord, fn: (w: Write) => Promise<void>): Promise<void> {
    try {
      await commit(fn);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const rival = await store.getByName(role.accountId, role.name);
      if (rival && rival.id !== role.id) throw policyErrors.roleConflict(`A role named ${role.name} already exists.`, rival);
      throw error;
    }
  }

  return {
    /**
     * `GET /v2/roles`: system roles (the platform roles the service offers), the service's own
     * roles, and — with `account_id`, when the caller may read them — the account's custom roles.
     * `policy_type=authorization` lists what a service-to-service authorization can grant: service
     * roles only.
     */
    async list(actor: Actor, query: RoleListQuery): Promise<{ custom: CustomRoleRecord[]; service: SystemRoleView[]; system: SystemRoleView[] }> {
      if (query.serviceName !== undefined && query.serviceGroupId !== undefined) {
        throw policyErrors.invalidBody('Use service_name or service_group_id, not both.');
      }
      if (query.policyType !== undefined && query.policyType !== 'access' && query.policyType !== 'authorization') {
        throw policyErrors.invalidBody('policy_type is access or authorization.');
      }
      if (query.sourceServiceName !== undefined && !catalog.service(query.sourceServiceName)) {
        throw policyErrors.invalidBody(`Service ${query.sourceServiceName} is not in the catalog.`);
      }
      let services: CatalogService[] = [];
      if (query.serviceName !== undefined) {
        const service = catalog.service(query.serviceName);
        if (!service) throw policyErrors.invalidBody(`Service ${query.serviceName} is not in the catalog.`);
        services = [service];
      } else if (query.serviceGroupId !== undefined) {
        services = [...catalog.allServices()].filter((s) => s.groupId === query.serviceGroupId);
        if (services.length === 0) throw policyErrors.invalidBody(`No service belongs to service group ${query.serviceGroupId}.`);
      }
      // Without a service: the platform roles, which every service offers.
      const offered = services.length > 0 ? new Set(services.flatMap((s) => s.roles)) : new Set(PLATFORM_ROLES);
      const ofKind = (kind: Role['kind']) =>
        [...offered].flatMap((crn) => {
          const role = catalog.role(crn);
          return role?.kind === kind ? [systemRole(role, services)] : [];
        });
      const systemRoles = query.policyType === 'authorization' ? [] : ofKind('platform');
      let custom: CustomRoleRecord[] = [];
      if (query.accountId !== undefined && (await isAllowed(deps.authorizer, actor, `${ROLE_MANAGEMENT}.read`, roleTarget(query.accountId)))) {
        const names = new Set(services.map((s) => s.name));
        custom = (await store.listCustomRoles(query.accountId)).filter((r) => services.length === 0 || names.has(r.serviceName));
      }
      return { custom, service: ofKind('service'), system: systemRoles };
    },

    async create(actor: Actor, input: CustomRoleInput): Promise<CustomRoleRecord> {
      if (!ROLE_NAME.test(input.name)) {
        throw policyErrors.invalidBody('name is 1 to 30 letters and digits and starts with a capital letter.');
      }
      checkText(input.displayName, input.description);
      if (!catalog.service(input.serviceName)) throw policyErrors.invalidBody(`Service ${input.serviceName} is not in the catalog.`);
      const actions = checkedActions(input.serviceName, input.actions);
      const id = customRoleId(input.name);
      return audited(actor, facts(`${ROLE_MANAGEMENT}.create`, { id, accountId: input.accountId }), async (commit, tools) => {
        await tools.authorize(`${ROLE_MANAGEMENT}.create`, roleTarget(input.accountId));
        const now = clock.now().toISOString();
        const role: CustomRoleRecord = {
          id,
          name: input.name,
          accountId: input.accountId,
          serviceName: input.serviceName,
          crn: customRoleCrn(input.accountId, input.name),
          displayName: input.displayName,
          ...(input.description !== undefined ? { description: input.description } : {}),
          actions,
          createdAt: now,
          createdById: actor.principal.iamId,
          lastModifiedAt: now,
          lastModifiedById: actor.principal.iamId,
          entityTag: nextTag(),
        };
        const named = await store.getByName(input.accountId, input.name);
        if (named) throw policyErrors.roleConflict(`A role named ${input.name} already exists.`, named);
        const twin = await twinOf(role);
        if (twin) throw twinConflict(twin);
        await commitRole(commit, role, async (w) => {
          await store.insert(w.trx, role);
          w.changed({ entity: 'custom_role', entityId: role.id, accountId: role.accountId, op: 'create' });
        });
        return role;
      });
    },

    async get(actor: Actor, id: string): Promise<CustomRoleRecord> {
      const role = await existing(actor, id);
      await audited(actor, facts(`${ROLE_MANAGEMENT}.read`, role), (_commit, tools) => tools.authorize(`${ROLE_MANAGEMENT}.read`, roleTarget(role.accountId)));
      return role;
    },

    /** Replaces what a role may change: display name, description, actions (name, account and service are fixed). */
    async replace(actor: Actor, id: string, ifMatch: string, input: Pick<CustomRoleInput, 'displayName' | 'description' | 'actions'>): Promise<CustomRoleRecord> {
      const subject = facts(`${ROLE_MANAGEMENT}.update`, { id, accountId: actor.principal.accountId });
      return audited(actor, subject, (commit, tools) => onCurrentVersion(ifMatch, async () => {
        const current = await existing(actor, id);
        if (current.template) throw policyErrors.managed(id);
        checkText(input.displayName, input.description);
        const actions = checkedActions(current.serviceName, input.actions);
        await tools.authorize(`${ROLE_MANAGEMENT}.update`, roleTarget(current.accountId));
        if (!sameActions(actions, current.actions)) await authorizeRegrant(tools, current);
        expectedTag(ifMatch, current.entityTag);
        const { description: _previous, ...kept } = current;
        const role: CustomRoleRecord = {
          ...kept,
          displayName: input.displayName,
          ...(input.description !== undefined ? { description: input.description } : {}),
          actions,
          lastModifiedAt: clock.now().toISOString(),
          lastModifiedById: actor.principal.iamId,
          entityTag: nextTag(current.entityTag),
        };
        const twin = await twinOf(role);
        if (twin) throw twinConflict(twin);
        await commit(async (w) => {
          if (!(await store.update(w.trx, role, current.entityTag))) throw staleTag();
          w.changed({ entity: 'custom_role', entityId: role.id, accountId: role.accountId, op: 'update' });
        });
        return role;
      }));
    },

    /** Deletes a custom role; refused (409) while an active policy grants it, so no grant dangles. */
    async remove(actor: Actor, id: string): Promise<void> {
      await audited(actor, facts(`${ROLE_MANAGEMENT}.delete`, { id, accountId: actor.principal.accountId }), async (commit, tools) => {
        const current = await existing(actor, id);
        if (current.template) throw policyErrors.managed(id);
        await tools.authorize(`${ROLE_MANAGEMENT}.delete`, roleTarget(current.accountId));
        await commit(async (w) => {
          const inUse = await deps.policies.countActiveGranting(w.trx, current.accountId, current.crn);
          if (inUse > 0) throw policyErrors.roleInUse(current.crn, inUse);
          await store.delete(w.trx, id);
          w.changed({ entity: 'custom_role', entityId: id, accountId: current.accountId, op: 'delete' });
        });
      });
    },
  };
}

export type RoleService = ReturnType<typeof createRoleService>;
