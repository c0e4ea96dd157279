export { Catalog, customRoleCrn, servicesOfKind, type ServiceGrants } from './catalog.js';
export { NO_SERVICE } from '../pdp/grants.js';
export { parseCatalogFile, parseCatalogService } from './catalog-file.js';
export { AUTHZ_QUERY_ACTION } from './seed/index.js';
export { platformRoles, serviceRoles, specificRoles, systemRoles, universalRoles, unsupportedVersionRole } from './system.js';
export type * from './types.js';
