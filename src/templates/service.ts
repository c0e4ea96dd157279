import type { Catalog } from '../catalog/index.js';
import type { Clock } from '../kernel/clock.js';
import type { Authenticator } from '../kernel/principal.js';
import type { PolicyDomain } from '../policies/index.js';
import type { Db } from '../store/db.js';
import type { TemplatesCore } from './core.js';
import { createActionControlKind } from './kinds/action-control.js';
import { createActionControlStore } from './kinds/action-controls-store.js';
import { createPolicyKind } from './kinds/policy.js';
import { createRoleKind } from './kinds/role.js';
import { templateRoutes } from './routes.js';
import { TemplateActionControlSchema, TemplatePolicySchema, TemplateRoleSchema } from './schemas.js';
import type { TemplateStore } from './store.js';
import { ACTION_CONTROL_API, POLICY_API, ROLE_API } from './wire.js';

export interface PolicyTemplatesDeps {
  db: Db;
  core: TemplatesCore;
  store: TemplateStore;
  policies: Pick<PolicyDomain, 'stores'>;
  catalog: Catalog;
  clock: Clock;
}

/**
 * The policy-management template kinds — policy, action-control and role templates — registered
 * with the template core, and their routes. `policyKind.placePolicy` / `retirePolicy` /
 * `policyDrifted` are what the access-group and trusted-profile template kinds use for the policy
 * templates they reference (they give the subject).
 */
export function createPolicyTemplates(deps: PolicyTemplatesDeps) {
  const { stores } = deps.policies;
  const policyKind = createPolicyKind({ templates: deps.store, policies: stores.policies, customRoles: stores.customRoles, catalog: deps.catalog, clock: deps.clock });
  const policy = deps.core.register(policyKind.kind);
  const actionControlKind = createActionControlKind({ store: createActionControlStore(deps.db), clock: deps.clock });
  const actionControl = deps.core.register(actionControlKind);
  const roleKind = createRoleKind({ customRoles: stores.customRoles, policies: stores.policies, catalog: deps.catalog, clock: deps.clock });
  const role = deps.core.register(roleKind);

  const apis = [
    { api: POLICY_API, kind: policyKind.kind, ...policy, noun: 'PolicyTemplate', assignmentNoun: 'PolicyAssignment', param: 'policy_template_id', content: TemplatePolicySchema, contentRequired: true, versionQuery: true },
    { api: ACTION_CONTROL_API, kind: actionControlKind, ...actionControl, noun: 'ActionControlTemplate', assignmentNoun: 'ActionControlAssignment', param: 'action_control_template_id', content: TemplateActionControlSchema, contentRequired: false, versionQuery: false },
    { api: ROLE_API, kind: roleKind, ...role, noun: 'RoleTemplate', assignmentNoun: 'RoleAssignment', param: 'role_template_id', content: TemplateRoleSchema, contentRequired: false, versionQuery: false },
  ];

  return {
    policy,
    actionControl,
    role,
    policyKind,
    routes: (authenticator: Authenticator, site: { url: string }) =>
      templateRoutes({ apis, authenticator, site }),
  };
}

export type PolicyTemplates = ReturnType<typeof createPolicyTemplates>;
