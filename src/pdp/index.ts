/** The decision point: a pure core over an in-memory snapshot (DESIGN.md "The PDP"). */
export { authorize, decide, rolesOf, type RoleGrant } from './authorize.js';
export { whoCan, type WhoCan, type WhoCanRequest, type GrantingPolicy, type IdentityGrant } from './who-can.js';
export { compilePolicy } from './compile.js';
export { compileRule, compileWildcard } from './conditions.js';
export { PUBLIC_ACCESS_GROUP, Snapshot, type MembershipInput, type SnapshotInput } from './snapshot.js';
export type * from './types.js';
export { Restrictions, compileZone, ALL_OPERATIONS_API_TYPE, type RestrictionRule, type RestrictionZone, type ZoneAddress, type EnforcementMode, type CheckedService } from './restrictions.js';
export { parseAddress, parseRange, parseSubnet } from './addresses.js';
