import type { CatalogService } from '../types.js';
import { accountManagementServices } from './account-management.js';
import { iamEnabledServices } from './iam-enabled.js';
import { expandSeed } from './seed-format.js';

export { genericActions, AUTHZ_QUERY_ACTION } from './generic.js';

/** The services every Portcullis catalog starts with. */
export function seedServices(): CatalogService[] {
  return [...accountManagementServices, ...iamEnabledServices].map(expandSeed);
}
