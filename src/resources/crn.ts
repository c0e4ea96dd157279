import { accountScope, formatCrn } from '../kernel/crn.js';

/** `crn:v1:bluemix:public:resource-controller:global:a/<acct>::resource-group:<id>` (identifiers.md §5). */
export const groupCrn = (accountId: string, id: string) =>
  formatCrn({ serviceName: 'resource-controller', location: 'global', scope: accountScope(accountId), resourceType: 'resource-group', resource: id });

/** `crn:v1:bluemix:public:<service>:<location>:a/<acct>:<guid>::` (identifiers.md §5). */
export const instanceCrn = (serviceName: string, location: string, accountId: string, guid: string) =>
  formatCrn({ serviceName, location, scope: accountScope(accountId), serviceInstance: guid });
