import type { Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { accountScope, formatCrn } from '../kernel/crn.js';
import type { Writer } from '../store/unit-of-work.js';
import type { KeyEncryption } from '../token/key-encryption.js';
import type { FederationStore } from './store.js';

/** The federation settings (config `federation`). */
export interface FederationSettings {
  /** Whether IdP URLs (SSO URL, OIDC issuer) may be `http:` — for tests and labs only. */
  httpAllowed: boolean;
  /** Clock skew accepted on an assertion's or ID token's times, in seconds. */
  clockSkewSeconds: number;
  /** How long a sign-in sent to an IdP may be answered, in seconds. */
  requestTtlSeconds: number;
  /** How long the browser has to choose how to sign in after the IdP answered, in seconds. */
  ticketTtlSeconds: number;
  /** Where the browser lands after the IdP answered (`?ticket=` is appended): the console's choice page. */
  landingUrl: string;
}

/** What the federation operations share. */
export interface FederationContext {
  store: FederationStore;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  /** Seals OIDC client secrets and PKCE verifiers at rest (context: the IdP id). */
  keyEncryption: Pick<KeyEncryption, 'seal' | 'open'>;
  /** Where clients reach the server: our entity id, ACS and redirect URLs derive from it. */
  site: { url: string };
  settings: FederationSettings;
}

/** Identity providers are IAM Identity resources: actions `iam-identity.idp.*`. */
export const SERVICE_NAME = 'iam-identity';
export const RESOURCE_TYPE = 'idp';

/** `crn:v1:bluemix:public:iam-identity::a/<account>::idp:<id>`. */
export const idpCrn = (accountId: string, id: string) =>
  formatCrn({ serviceName: SERVICE_NAME, scope: accountScope(accountId), resourceType: RESOURCE_TYPE, resource: id });

/** Our endpoints for one IdP: SP entity id and metadata, ACS (SAML), redirect URI (OIDC), login. */
export function endpointsOf(site: { url: string }, idpId: string) {
  const base = `${site.url}/federation/${idpId}`;
  return { entityId: `${base}/metadata`, metadata: `${base}/metadata`, acs: `${base}/acs`, callback: `${base}/callback`, login: `${base}/login` };
}
