/**
 * What the decision point needs of the service catalog, declared here so that `pdp/` depends on
 * nothing but `kernel/`: the catalog (src/catalog/catalog.ts) implements `RoleGrants` and builds
 * the `ServiceGrants` it hands out.
 */

/**
 * `platform` roles are `…:iam::::role:<Name>`; `service` roles are `…::::serviceRole:<Name>`, generic
 * (`iam`) or specific to one service; `custom` roles belong to an account and one service.
 */
export type RoleKind = 'platform' | 'service' | 'custom';

/** `service` = IAM-enabled service; `platform_service` = account-management service. */
export type ServiceType = 'service' | 'platform_service';

/** The service name of a resource that names no single service. */
export const NO_SERVICE = '';

/**
 * A role ordinal folded into one of 7 bits, so that any set of roles has a one-byte summary: two
 * sets share no role when their summaries share no bit.
 */
export const roleClass = (ordinal: number) => 1 << ordinal % 7;

/**
 * The roles that grant one action on one service: their CRNs, their RoleGrants.roleOrdinal numbers,
 * and the union of their roleClass bits.
 */
export interface GrantingRoles {
  readonly roles: ReadonlySet<string>;
  readonly ordinals: Int32Array;
  readonly classes: number;
}

/**
 * What the decision point needs to know about one service, precomputed so a decision costs one
 * map lookup per question: which roles grant an action on it, and which actions a role carries.
 */
export interface ServiceGrants {
  readonly service: { readonly name: string };
  readonly type: ServiceType;
  readonly groupId: string | undefined;
  /** action id → the roles (system and custom) that grant it on this service. */
  readonly rolesByAction: ReadonlyMap<string, GrantingRoles>;
  /** role CRN → the action ids it grants on this service. */
  readonly actionsByRole: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * A small integer unique to this object (a service's grants are replaced, never mutated), so the
   * decision point can keep per-service data in an array rather than a map.
   */
  readonly ordinal: number;
}

/** The catalog as the decision point reads it: role → action grants per service, and role identities. */
export interface RoleGrants {
  /**
   * The decision point's precomputed view of one service. NO_SERVICE is a resource that names no
   * single service: there only the generic platform actions apply.
   */
  grantsOn(serviceName: string): ServiceGrants | undefined;
  /** The service defining `action`; undefined for generic platform actions and unknown ones. */
  serviceOfAction(action: string): string | undefined;
  knowsAction(action: string): boolean;
  /** The kind of a known role (explanations name it); undefined for an unknown CRN. */
  role(crn: string): { readonly kind: RoleKind } | undefined;
  /**
   * A small integer for a role CRN, the same for the catalog's lifetime, also for CRNs the catalog
   * does not know (yet), so the decision point compares roles as integers.
   */
  roleOrdinal(crn: string): number;
  /** The role CRN of a roleOrdinal. */
  roleOfOrdinal(ordinal: number): string;
}
