import { customRoleCrn, type Catalog } from '../../catalog/index.js';
import { nextTag, staleTag } from '../../kernel/etag.js';
import { policyErrors } from '../../policies/errors.js';
import { customRoleId, ROLE_NAME } from '../../policies/roles-service.js';
import type { CustomRoleStore } from '../../policies/roles-store.js';
import type { PolicyStore } from '../../policies/store.js';
import { ROLE_MANAGEMENT } from '../../policies/targets.js';
import type { CustomRoleRecord } from '../../policies/types.js';
import { resourceFailure } from '../errors.js';
import type { TemplateKind } from '../types.js';
import { policyApiErrors } from './policy-errors.js';

/**
 * Role templates (`/v1/role_templates`): a custom role — name, display name, service, actions —
 * that assignments make in each target account (an enterprise-managed custom role, which policy
 * templates grant through `role_template_references`). Later versions may leave out the name and
 * service, which never change. In the target account the role must be valid as any custom role is
 * (a catalog service, its own actions), its name free (a role of that name not made by this
 * assignment is a 409 for that account), and the assigner must be allowed
 * `iam-access-management.customRole.create|update` there.
 */
export interface TemplateRole {
  name: string;
  display_name: string;
  service_name: string;
  description?: string;
  actions: string[];
}

export interface RoleBody {
  role?: TemplateRole;
}

const errors = policyApiErrors('Role', 'role');
const KEY = 'role';

export function createRoleKind(deps: {
  customRoles: Pick<CustomRoleStore, 'getCustomRole' | 'getByName' | 'insert' | 'update' | 'delete'>;
  policies: Pick<PolicyStore, 'countActiveGranting'>;
  catalog: Catalog;
  clock: { now(): Date };
}): TemplateKind<RoleBody> {
  const { catalog } = deps;

  /** The template's actions as a custom role of the catalog takes them: each its service's own, sorted, once. */
  function catalogActions(role: TemplateRole): string[] {
    if (!catalog.service(role.service_name)) throw errors.invalidError(`Service ${role.service_name} is not in the catalog.`);
    for (const action of role.actions) {
      if (catalog.serviceOfAction(action) !== role.service_name) throw errors.invalidError(`Action ${action} is not an action of service ${role.service_name}.`);
    }
    return [...new Set(role.actions)].sort();
  }

  return {
    name: 'role',
    ...errors,
    actions: {
      template: 'iam-access-management.role-template',
      assignment: 'iam-access-management.role-assignment',
      serviceName: 'iam-access-management',
      resourceType: 'role-template',
      assignmentType: 'role-assignment',
    },

    async validate(body, _accountId, previous) {
      const given = (body as { role?: Partial<TemplateRole> }).role;
      if (given === undefined) return {};
      const name = given.name ?? previous?.role?.name;
      const service = given.service_name ?? previous?.role?.service_name;
      if (name === undefined || !ROLE_NAME.test(name)) throw errors.invalidError('role.name is 1 to 30 letters and digits and starts with a capital letter.');
      if (previous?.role && (name !== previous.role.name || service !== previous.role.service_name)) {
        throw errors.invalidError('The name and service_name of a role template never change.');
      }
      if (service === undefined || service.trim() === '') throw errors.invalidError('role.service_name is required.');
      if (given.display_name === undefined || given.display_name.trim() === '') throw errors.invalidError('role.display_name is required.');
      const actions = given.actions ?? [];
      if (actions.length === 0) throw errors.invalidError('role.actions needs at least one action.');
      for (const action of actions) {
        if (!action.startsWith(`${service}.`)) throw errors.invalidError(`Action ${action} is not an action of service ${service}.`);
      }
      return {
        role: { name, display_name: given.display_name, service_name: service, ...(given.description !== undefined ? { description: given.description } : {}), actions: [...new Set(actions)] },
      };
    },

    /** `iam-access-management.customRole.create|update|delete` for the assigner in the target account. */
    async authorize(ctx, removing) {
      const verb = removing ? 'delete' : ctx.previous.some((r) => r.key === KEY && r.resourceId !== undefined) ? 'update' : 'create';
      await resourceFailure(KEY, () => ctx.authorizeInTarget(`${ROLE_MANAGEMENT}.${verb}`, { accountId: ctx.accountId, serviceName: ROLE_MANAGEMENT }));
    },

    async apply(w, ctx) {
      const role = ctx.version.body.role;
      const previous = ctx.previous.find((r) => r.key === KEY)?.resourceId;
      const id = await resourceFailure(KEY, async () => {
        if (!role) throw errors.invalidError(`Role template '${ctx.version.id}' version '${ctx.version.version}' has no role to assign.`);
        const actions = catalogActions(role);
        const existing = previous === undefined ? undefined : await deps.customRoles.getCustomRole(previous, w.trx);
        const current = existing?.accountId === ctx.accountId ? existing : undefined;
        const at = deps.clock.now().toISOString();
        if (!current) {
          const named = await deps.customRoles.getByName(ctx.accountId, role.name, w.trx);
          if (named) throw policyErrors.roleConflictSummary(`A role named ${role.name} already exists in account ${ctx.accountId}.`, named.entityTag, { id: named.id, name: named.name });
        }
        const record: CustomRoleRecord = {
          id: current?.id ?? customRoleId(role.name),
          name: role.name,
          accountId: ctx.accountId,
          serviceName: role.service_name,
          crn: customRoleCrn(ctx.accountId, role.name),
          displayName: role.display_name,
          ...(role.description !== undefined ? { description: role.description } : {}),
          actions,
          createdAt: current?.createdAt ?? at,
          createdById: current?.createdById ?? ctx.principal.iamId,
          lastModifiedAt: at,
          lastModifiedById: ctx.principal.iamId,
          entityTag: nextTag(current?.entityTag),
          template: { ...ctx.metadata, ownerAccountId: ctx.assignment.accountId },
        };
        if (current) {
          if (!(await deps.customRoles.update(w.trx, record, current.entityTag))) throw staleTag();
        } else {
          await deps.customRoles.insert(w.trx, record);
        }
        w.changed({ entity: 'custom_role', entityId: record.id, accountId: ctx.accountId, op: current ? 'update' : 'create' });
        return record.id;
      });
      return [{ key: KEY, resourceId: id }];
    },

    /** Deletes the managed role; refused (409) while an active policy still grants it, so no grant dangles. */
    async remove(w, ctx) {
      for (const r of ctx.previous) {
        if (r.resourceId === undefined) continue;
        const role = await deps.customRoles.getCustomRole(r.resourceId, w.trx);
        if (!role) continue;
        await resourceFailure(KEY, async () => {
          const inUse = await deps.policies.countActiveGranting(w.trx, role.accountId, role.crn);
          if (inUse > 0) throw policyErrors.roleInUse(role.crn, inUse);
        });
        await deps.customRoles.delete(w.trx, role.id);
        w.changed({ entity: 'custom_role', entityId: role.id, accountId: ctx.accountId, op: 'delete' });
      }
    },

    async drift(ctx) {
      const held = ctx.previous.find((r) => r.key === KEY);
      const role = ctx.version.body.role;
      if (!held || !role) return [];
      const live = held.resourceId === undefined ? undefined : await deps.customRoles.getCustomRole(held.resourceId);
      const same = live !== undefined && live.displayName === role.display_name && live.actions.join() === [...new Set(role.actions)].sort().join();
      return same ? [] : [KEY];
    },
  };
}
