import type { Catalog, CustomRole } from '../catalog/index.js';
import type { IdentityDirectory } from '../identity/directory.js';
import type { Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import type { Authenticator } from '../kernel/principal.js';
import type { Db } from '../store/db.js';
import type { Writer } from '../store/unit-of-work.js';
import { createCustomRoleStore } from './roles-store.js';
import { createRoleService } from './roles-service.js';
export { createGrantCheck, type GrantCheck } from './grants.js';
import { createGrantableCheck } from './grantable.js';
import { policyRoutes } from './routes.js';
import { createPolicyService, type PolicyServiceDeps } from './service.js';
import { createSettingsStore } from './settings-store.js';
import { createSettingsService } from './settings-service.js';
import { createPolicyStore } from './store.js';
import { createSubjectDirectory } from './subjects.js';
import type { CustomRoleRecord } from './types.js';

export interface PolicyDomainDeps {
  db: Db;
  writer: Writer;
  clock: Clock;
  catalog: Catalog;
  authorizer: Authorizer;
  site: { url: string };
  /** Which IAM ids are identities of an account (policy subjects must be). */
  directory: IdentityDirectory;
  /** The account and resource group of a live service instance (the resource domain's lookup). */
  instanceOf(instanceId: string): Promise<{ accountId: string; resourceGroupId: string } | undefined>;
  /** Saves the decision point's pending permit counts, before policies' usage is shown. */
  savePermits?: () => Promise<void>;
  /** See PolicyServiceDeps.guardSubject (enterprise-managed access groups and trusted profiles). */
  guardSubject?: PolicyServiceDeps['guardSubject'];
  /** See PolicyServiceDeps.removableManaged (trusted-profile templates' action controls). */
  removableManaged?: PolicyServiceDeps['removableManaged'];
}

/** The custom role as the catalog (and so the decision point) holds it. */
export const catalogRoleOf = (r: CustomRoleRecord): CustomRole => ({
  crn: r.crn,
  name: r.name,
  displayName: r.displayName,
  description: r.description ?? '',
  kind: 'custom',
  serviceName: r.serviceName,
  accountId: r.accountId,
  actions: r.actions,
});

/**
 * IAM Policy Management: policies, roles and access-management settings, wired from their stores.
 * `stores` are what the decision point reads (see the contracts on each function):
 * `policies.listActivePolicies()`, `policies.get(id)`, `customRoles.listCustomRoles()`,
 * `customRoles.getCustomRole(id)` with `catalogRoleOf`, `settings.get(accountId)`.
 */
export function createPolicyDomain(deps: PolicyDomainDeps) {
  const stores = {
    policies: createPolicyStore(deps.db),
    customRoles: createCustomRoleStore(deps.db),
    settings: createSettingsStore(deps.db),
  };
  const common = { catalog: deps.catalog, authorizer: deps.authorizer, writer: deps.writer, clock: deps.clock };
  const policies = createPolicyService({
    ...common,
    store: stores.policies,
    customRoles: stores.customRoles,
    subjects: createSubjectDirectory(deps.directory),
    instances: { instance: deps.instanceOf },
    ...(deps.savePermits ? { savePermits: deps.savePermits } : {}),
    ...(deps.guardSubject ? { guardSubject: deps.guardSubject } : {}),
    ...(deps.removableManaged ? { removableManaged: deps.removableManaged } : {}),
  });
  const roles = createRoleService({ ...common, store: stores.customRoles, policies: stores.policies });
  const settings = createSettingsService({ ...common, store: stores.settings });
  return {
    stores,
    policies,
    roles,
    settings,
    /** Retires, inside the caller's write, the account's policies of an identity that is being removed. */
    retireSubjectIn: policies.retireSubjectIn,
    routes: (authenticator: Authenticator) =>
      policyRoutes({ policies, roles, settings, grantable: createGrantableCheck({ catalog: deps.catalog, authorizer: deps.authorizer }), authenticator, site: deps.site }),
  };
}

export type PolicyDomain = ReturnType<typeof createPolicyDomain>;
