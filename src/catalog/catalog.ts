import { DomainError } from '../kernel/errors.js';
import { NO_SERVICE, roleClass, type GrantingRoles, type RoleGrants, type ServiceGrants as DecisionGrants } from '../pdp/grants.js';
import { genericActions as seedGenericActions, seedServices } from './seed/index.js';
import { systemRoles, universalRoles } from './system.js';
import type { CatalogAction, CatalogService, CustomRole, GenericAction, OwnRole, Role, ServiceType } from './types.js';

/**
 * The decision point's view of one service (pdp/grants.ts), with the catalog's whole service
 * record.
 */
export interface ServiceGrants extends DecisionGrants {
  readonly service: CatalogService;
}

let nextOrdinal = 0;

const NOTHING: ReadonlySet<string> = new Set();

/** Child services are `parent.child`; IBM's own child names are camelCase (`…customRole`). */
const SERVICE_NAME = /^[a-z0-9][a-z0-9-]{0,99}(\.[a-zA-Z0-9][a-zA-Z0-9-]{0,99})?$/;
const CUSTOM_ROLE_NAME = /^[A-Z][A-Za-z0-9]{0,29}$/;
const CUSTOM_ROLE_CRN = /^crn:v1:ibmcloud:public:iam-access-management::a\/([0-9a-zA-Z-]+)::customRole:([A-Z][A-Za-z0-9]*)$/;
const OWN_ROLE_CRN = /^crn:v1:bluemix:public:([^:]+)::::(role|serviceRole):([A-Za-z][A-Za-z0-9]*)$/;

const invalidService = (code: string, message: string) => new DomainError('invalid', code, message);

/** The CRN IBM gives a custom role (identifiers.md §4). */
export const customRoleCrn = (accountId: string, name: string) =>
  `crn:v1:ibmcloud:public:iam-access-management::a/${accountId}::customRole:${name}`;

/**
 * The service catalog: services, their actions, system and custom roles, and the precomputed
 * role ↔ action sets per service. Every mutation updates only the services it touches.
 */
export class Catalog implements RoleGrants {
  private readonly services = new Map<string, CatalogService>();
  private readonly roles = new Map<string, Role>();
  private readonly customRoles = new Map<string, CustomRole>();
  private readonly actions = new Map<string, CatalogAction>();
  /** action id → owning service; generic actions have none. */
  private readonly actionOwner = new Map<string, string>();
  private readonly generic = new Map<string, GenericAction>();
  private readonly grants = new Map<string, ServiceGrants>();
  private readonly roleOrdinals = new Map<string, number>();
  private readonly roleCrns: string[] = [];
  private changeCount = 0;

  /** A catalog with the system roles, the generic platform actions and the seed services. */
  static withSeed(): Catalog {
    const catalog = new Catalog(seedGenericActions);
    for (const service of seedServices()) catalog.register(service);
    return catalog;
  }

  constructor(genericActions: readonly GenericAction[] = []) {
    for (const role of systemRoles) this.roles.set(role.crn, role);
    for (const action of genericActions) {
      this.generic.set(action.id, action);
      this.actions.set(action.id, action);
    }
    this.grants.set(NO_SERVICE, this.serviceFreeGrants(genericActions));
  }

  /** Increases with every change, so callers can tell whether derived data is stale. */
  get revision(): number {
    return this.changeCount;
  }

  /**
   * Adds a service, or replaces the one with the same name. Throws DomainError('invalid') when the
   * name is malformed, a role is unknown or not the service's own, an action id is duplicated,
   * belongs to another service or lies outside the service's `<name>.` namespace.
   */
  register(input: CatalogService): void {
    const service = this.validated(input);
    const previous = this.services.get(service.name);
    if (previous) this.forgetService(previous);
    for (const own of service.ownRoles ?? []) this.roles.set(own.crn, ownRole(service.name, own));
    for (const action of service.actions) {
      this.actions.set(action.id, action);
      this.actionOwner.set(action.id, service.name);
    }
    this.services.set(service.name, service);
    this.recomputeGrants(service.name);
  }

  /** Removes a service and its actions and own roles; custom roles on it stop granting anything. */
  unregister(name: string): void {
    const service = this.services.get(name);
    if (!service) return;
    this.forgetService(service);
    this.services.delete(name);
    this.recomputeGrants(name);
  }

  /** Registers several services; none is registered when any is invalid. */
  registerAll(services: readonly CatalogService[]): void {
    const names = new Set<string>();
    for (const s of services) {
      this.validated(s, names);
      names.add(s.name);
    }
    for (const s of services) this.register(s);
  }

  /**
   * Adds or replaces a custom role. Throws DomainError('invalid') when its CRN, name or service is
   * malformed or unknown, or an action does not belong to its service.
   */
  upsertCustomRole(role: CustomRole): void {
    const m = CUSTOM_ROLE_CRN.exec(role.crn);
    if (!m || m[1] !== role.accountId || m[2] !== role.name || !CUSTOM_ROLE_NAME.test(role.name)) {
      throw invalidService('invalid_custom_role', `Custom role CRN ${role.crn} does not match account ${role.accountId} and name ${role.name}.`);
    }
    if (!this.services.has(role.serviceName)) {
      throw invalidService('unknown_service', `Service ${role.serviceName} is not in the catalog.`);
    }
    if (role.actions.length === 0) throw invalidService('invalid_custom_role', 'A custom role needs at least one action.');
    for (const action of role.actions) {
      if (this.actionOwner.get(action) !== role.serviceName) {
        throw invalidService('invalid_custom_role', `Action ${action} is not an action of ${role.serviceName}.`);
      }
    }
    const previous = this.customRoles.get(role.crn);
    const stored: CustomRole = { ...role, kind: 'custom', actions: [...role.actions] };
    this.customRoles.set(role.crn, stored);
    this.roles.set(role.crn, stored);
    if (previous && previous.serviceName !== role.serviceName) this.recomputeGrants(previous.serviceName);
    this.recomputeGrants(role.serviceName);
  }

  removeCustomRole(crn: string): void {
    const role = this.customRoles.get(crn);
    if (!role) return;
    this.customRoles.delete(crn);
    this.roles.delete(crn);
    this.recomputeGrants(role.serviceName);
  }

  service(name: string): CatalogService | undefined {
    return this.services.get(name);
  }

  allServices(): IterableIterator<CatalogService> {
    return this.services.values();
  }

  role(crn: string): Role | undefined {
    return this.roles.get(crn);
  }

  action(id: string): CatalogAction | undefined {
    return this.actions.get(id);
  }

  /** The system roles a service offers (its custom roles are in `customRolesOf`). */
  offeredRoles(serviceName: string): Role[] {
    const service = this.services.get(serviceName);
    if (!service) return [];
    return service.roles.flatMap((crn) => this.roles.get(crn) ?? []);
  }

  /** Custom roles of an account, optionally only those of one service. */
  customRolesOf(accountId: string, serviceName?: string): CustomRole[] {
    return [...this.customRoles.values()].filter(
      (r) => r.accountId === accountId && (serviceName === undefined || r.serviceName === serviceName),
    );
  }

  /**
   * The actions a role grants on a service: for a system role, the service's actions mapped to it
   * plus the generic platform actions it carries; for a custom role, its own actions when its
   * service is `serviceName`, otherwise none.
   */
  actionsOf(roleCrn: string, serviceName: string): ReadonlySet<string> {
    return this.grants.get(serviceName)?.actionsByRole.get(roleCrn) ?? NOTHING;
  }

  /** The roles (system and custom) that grant `action` on `serviceName`. */
  rolesGranting(action: string, serviceName: string): ReadonlySet<string> {
    return this.grants.get(serviceName)?.rolesByAction.get(action)?.roles ?? NOTHING;
  }

  /**
   * A small integer for a role CRN, the same for the catalog's lifetime; assigned on first use,
   * also to CRNs the catalog does not know (yet), so the decision point compares roles as integers.
   */
  roleOrdinal(crn: string): number {
    let ordinal = this.roleOrdinals.get(crn);
    if (ordinal === undefined) {
      this.roleOrdinals.set(crn, (ordinal = this.roleCrns.length));
      this.roleCrns.push(crn);
    }
    return ordinal;
  }

  /** The role CRN of a roleOrdinal. */
  roleOfOrdinal(ordinal: number): string {
    return this.roleCrns[ordinal]!;
  }

  knowsAction(action: string): boolean {
    return this.actions.has(action);
  }

  /** The service defining `action`; undefined for generic platform actions and unknown ones. */
  serviceOfAction(action: string): string | undefined {
    return this.actionOwner.get(action);
  }

  isGenericAction(action: string): boolean {
    return this.generic.has(action);
  }

  /**
   * The decision point's precomputed view of one service. `''` (NO_SERVICE) is a resource that
   * names no single service, such as all resources of a resource group: there only the generic
   * platform actions apply (`iam.policy.create` and the like), carried by the roles that carry
   * them on every service.
   */
  grantsOn(serviceName: string): ServiceGrants | undefined {
    return this.grants.get(serviceName) ?? this.kindGrants(serviceName);
  }

  /**
   * The grants of a kind of services (servicesOfKind): like NO_SERVICE, only the generic platform
   * actions apply, but the resource's derived type and group are the kind's, so only policies that
   * span the whole kind (or more) match it. Built on first use; they depend on nothing that changes.
   */
  private kindGrants(name: string): ServiceGrants | undefined {
    const m = KIND_NAME.exec(name);
    if (!m) return undefined;
    const grants = this.serviceFreeGrants([...this.generic.values()], name, m[1] as ServiceType, m[2]);
    this.grants.set(name, grants);
    return grants;
  }

  private validated(input: CatalogService, pending: ReadonlySet<string> = new Set()): CatalogService {
    if (typeof input.name !== 'string' || !SERVICE_NAME.test(input.name)) {
      throw invalidService('invalid_service_name', `Service name ${JSON.stringify(input.name)} must be lower-case letters, digits and "-" (a child service: parent.child).`);
    }
    if (pending.has(input.name)) throw invalidService('duplicate_service', `Service ${input.name} is listed twice.`);
    if (!input.displayName) throw invalidService('invalid_service', `Service ${input.name} needs a display name.`);
    if (input.type !== 'service' && input.type !== 'platform_service') {
      throw invalidService('invalid_service', `Service ${input.name}: type must be "service" or "platform_service".`);
    }
    const ownRoles = input.ownRoles ?? [];
    for (const own of ownRoles) {
      const m = OWN_ROLE_CRN.exec(own.crn);
      if (!m || m[1] !== input.name) {
        throw invalidService('invalid_role', `Role ${own.crn} of ${input.name} must be crn:v1:bluemix:public:${input.name}::::serviceRole:<Name>.`);
      }
    }
    const ownCrns = new Set(ownRoles.map((r) => r.crn));
    const offered = new Set<string>();
    for (const crn of input.roles) {
      const role = this.roles.get(crn);
      const usable = ownCrns.has(crn) || (role !== undefined && role.kind !== 'custom' && (role.serviceName ?? input.name) === input.name);
      if (!usable) throw invalidService('unknown_role', `Service ${input.name} lists unknown role ${crn}.`);
      offered.add(crn);
    }
    for (const crn of universalRoles) offered.add(crn);
    const ids = new Set<string>();
    for (const action of input.actions) {
      if (typeof action.id !== 'string' || !action.id.startsWith(`${input.name}.`) || action.id.length <= input.name.length + 1) {
        throw invalidService('invalid_action', `Action ${JSON.stringify(action.id)} must start with "${input.name}.".`);
      }
      const owner = this.actionOwner.get(action.id);
      if (ids.has(action.id) || this.generic.has(action.id) || (owner !== undefined && owner !== input.name)) {
        throw invalidService('duplicate_action', `Action ${action.id} is defined more than once.`);
      }
      ids.add(action.id);
      for (const crn of action.roles) {
        if (!offered.has(crn)) {
          throw invalidService('unknown_role', `Action ${action.id} names role ${crn}, which ${input.name} does not offer.`);
        }
      }
    }
    return {
      ...input,
      roles: [...offered],
      actions: input.actions.map((a) => ({ ...a, roles: [...a.roles] })),
      ...(input.ownRoles ? { ownRoles: input.ownRoles.map((r) => ({ ...r })) } : {}),
    };
  }

  private forgetService(service: CatalogService): void {
    for (const action of service.actions) {
      this.actions.delete(action.id);
      this.actionOwner.delete(action.id);
    }
    for (const own of service.ownRoles ?? []) this.roles.delete(own.crn);
  }

  private recomputeGrants(serviceName: string): void {
    this.changeCount++;
    const service = this.services.get(serviceName);
    if (!service) {
      this.grants.delete(serviceName);
      return;
    }
    const rolesByAction = new Map<string, Set<string>>();
    const actionsByRole = new Map<string, Set<string>>();
    const grant = (action: string, role: string) => {
      let roles = rolesByAction.get(action);
      if (!roles) rolesByAction.set(action, (roles = new Set()));
      roles.add(role);
      let actions = actionsByRole.get(role);
      if (!actions) actionsByRole.set(role, (actions = new Set()));
      actions.add(action);
    };
    for (const action of service.actions) for (const role of action.roles) grant(action.id, role);
    const offered = new Set(service.roles);
    for (const action of this.generic.values()) {
      for (const role of action.roles) if (offered.has(role)) grant(action.id, role);
    }
    for (const custom of this.customRoles.values()) {
      if (custom.serviceName === serviceName) for (const action of custom.actions) grant(action, custom.crn);
    }
    this.grants.set(serviceName, {
      service,
      type: service.type,
      groupId: service.groupId,
      rolesByAction: this.granting(rolesByAction),
      actionsByRole,
      ordinal: nextOrdinal++,
    });
  }

  private serviceFreeGrants(
    genericActions: readonly GenericAction[],
    name = NO_SERVICE,
    type: ServiceType = 'service',
    groupId?: string,
  ): ServiceGrants {
    const rolesByAction = new Map<string, Set<string>>();
    const actionsByRole = new Map<string, Set<string>>();
    for (const action of genericActions) {
      rolesByAction.set(action.id, new Set(action.roles));
      for (const role of action.roles) {
        let actions = actionsByRole.get(role);
        if (!actions) actionsByRole.set(role, (actions = new Set()));
        actions.add(action.id);
      }
    }
    const service: CatalogService = { name, displayName: 'Any service', type, roles: [...actionsByRole.keys()], actions: [], ...(groupId !== undefined ? { groupId } : {}) };
    return { service, type, groupId, rolesByAction: this.granting(rolesByAction), actionsByRole, ordinal: nextOrdinal++ };
  }

  private granting(rolesByAction: ReadonlyMap<string, ReadonlySet<string>>): Map<string, GrantingRoles> {
    const granting = new Map<string, GrantingRoles>();
    for (const [action, roles] of rolesByAction) {
      const ordinals = Int32Array.from(roles, (crn) => this.roleOrdinal(crn));
      granting.set(action, { roles, ordinals, classes: ordinals.reduce((classes, ordinal) => classes | roleClass(ordinal), 0) });
    }
    return granting;
  }
}

/** `*<type>` or `*<type>/<group>`: never a registrable service name (SERVICE_NAME has no `*`). */
const KIND_NAME = /^\*(service|platform_service)(?:\/(.+))?$/;

/**
 * The service name under which the decision point decides a resource that stands for every service
 * of a kind: all IAM-enabled services (`serviceType=service`: NO_SERVICE, whose derived type is
 * `service`), all account-management services, or a service group. A policy matches such a
 * resource only when it covers the whole kind: one naming a single service, or a narrower kind,
 * does not (its `serviceName` or `service_group_id` test fails on the kind's values).
 */
export const servicesOfKind = (type: ServiceType, groupId?: string): string =>
  type === 'service' && groupId === undefined ? NO_SERVICE : `*${type}${groupId !== undefined ? `/${groupId}` : ''}`;

function ownRole(serviceName: string, own: OwnRole): Role {
  const name = own.crn.slice(own.crn.lastIndexOf(':') + 1);
  return { crn: own.crn, name, displayName: own.displayName, description: own.description, kind: 'service', serviceName };
}
