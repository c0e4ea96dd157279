import { accountScope, formatCrn, parseCrn } from '../kernel/crn.js';

/** CRNs of enterprise objects (identifiers.md §5): `crn:v1:bluemix:public:enterprise::a/<enterprise account>::<type>:<id>`. */
export type EnterpriseObject = 'enterprise' | 'account-group' | 'account';

export const enterpriseCrn = (enterpriseAccountId: string, type: EnterpriseObject, id: string) =>
  formatCrn({ serviceName: 'enterprise', scope: accountScope(enterpriseAccountId), resourceType: type, resource: id });

/** The object a `parent` CRN names, or undefined when it is not an enterprise or account-group CRN. */
export function parentOf(crn: string): { type: 'enterprise' | 'account-group'; id: string } | undefined {
  const parsed = parseCrn(crn);
  if (!parsed || parsed.serviceName !== 'enterprise' || !parsed.resource) return undefined;
  if (parsed.resourceType !== 'enterprise' && parsed.resourceType !== 'account-group') return undefined;
  return { type: parsed.resourceType, id: parsed.resource };
}
