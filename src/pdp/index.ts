/** The decision point: a pure core over an in-memory snapshot (DESIGN.md "The PDP"). */
export { authorize, decide, rolesOf, type RoleGrant } from './authorize.js';
export { compilePolicy } from './compile.js';
export { compileRule, compileWildcard } from './conditions.js';
export { PUBLIC_ACCESS_GROUP, Snapshot, type MembershipInput, type SnapshotInput } from './snapshot.js';
export type * from './types.js';
