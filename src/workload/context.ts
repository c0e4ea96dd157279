import type { Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { accountScope, formatCrn } from '../kernel/crn.js';
import type { Writer } from '../store/unit-of-work.js';
import type { IssuerStore } from './store.js';

/** What the workload-identity operations share. */
export interface WorkloadContext {
  store: IssuerStore;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  /** Whether an issuer's `jwks_url` may be `http:` (config `workload.jwksHttpAllowed`). */
  jwksHttpAllowed: boolean;
}

/** Trusted issuers are IAM Identity resources: actions `iam-identity.trusted-issuer.*`. */
export const SERVICE_NAME = 'iam-identity';
export const RESOURCE_TYPE = 'trusted-issuer';

/** `crn:v1:bluemix:public:iam-identity::a/<account>::trusted-issuer:<id>`. */
export const issuerCrn = (accountId: string, id: string) =>
  formatCrn({ serviceName: SERVICE_NAME, scope: accountScope(accountId), resourceType: RESOURCE_TYPE, resource: id });
