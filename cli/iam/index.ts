import type { Command } from 'commander';
import { registerAccessGroups } from './access-groups.js';
import { registerAccountSettings } from './account-settings.js';
import { registerApiKeys } from './api-keys.js';
import { registerAuthorizationPolicies } from './authorization-policies.js';
import { registerPolicies } from './policies.js';
import { registerRoles } from './roles.js';
import { registerServiceIds } from './service-ids.js';
import { registerTrustedProfiles } from './trusted-profiles.js';
import { registerUsers } from './users.js';

/** Every `portcullis iam …` command, one module per family (login's `oauth-tokens` is in client/login.ts). */
export function registerIam(iam: Command): void {
  registerApiKeys(iam);
  registerServiceIds(iam);
  registerTrustedProfiles(iam);
  registerAccessGroups(iam);
  registerPolicies(iam);
  registerRoles(iam);
  registerAuthorizationPolicies(iam);
  registerAccountSettings(iam);
  registerUsers(iam);
}
