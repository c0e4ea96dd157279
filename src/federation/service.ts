import type { FederationContext } from './context.js';
import { federationErrors } from './errors.js';
import { createIdpOperations } from './idps.js';
import { createLanding, type LandingDeps } from './landing.js';
import { createOidcFlow } from './oidc.js';
import { createSamlFlow } from './saml.js';
import type { IdentityProvider } from './types.js';

export type FederationDeps = FederationContext & LandingDeps;

/**
 * Federated sign-in (issue #14): an account's identity providers (management API), the SAML and
 * OIDC flows against them, and the ticket with which the browser chooses to sign in as the
 * account's member or as a trusted profile. What the registry wires.
 */
export function createFederationService(deps: FederationDeps) {
  const idps = createIdpOperations(deps);
  const saml = createSamlFlow(deps);
  const oidc = createOidcFlow(deps);
  const landing = createLanding(deps, deps);

  /** The IdP a public sign-in URL names, of the protocol the endpoint serves; 404 otherwise. */
  async function idpFor(id: string, protocol?: IdentityProvider['protocol']) {
    const stored = await deps.store.getIdp(id);
    if (!stored || (protocol && stored.idp.protocol !== protocol)) throw federationErrors.notFound(id);
    return stored;
  }

  return {
    idps,

    /**
     * The identity providers an account's sign-in page offers (public: no token exists yet). An
     * unknown account answers like one with none, so the route tells nothing about which accounts exist.
     */
    signInProviders: (accountId: string): Promise<IdentityProvider[]> => deps.store.listIdps(accountId),

    /** Where to send the browser to sign in through the IdP (SAML AuthnRequest or OIDC authorization request). */
    async loginUrl(idpId: string): Promise<string> {
      const stored = await idpFor(idpId);
      return stored.idp.protocol === 'saml' ? saml.loginUrl(stored.idp) : oidc.loginUrl(stored);
    },

    /** Our SAML SP metadata for the IdP. */
    async spMetadata(idpId: string): Promise<string> {
      return saml.metadata((await idpFor(idpId, 'saml')).idp);
    },

    /** The SAML ACS: checks the POSTed response; a ticket to choose with, or a refusal (audited). */
    async samlAnswer(idpId: string, samlResponse: string, requestId: string) {
      const { idp } = await idpFor(idpId, 'saml');
      return landing.land(idp, requestId, () => saml.answer(idp, samlResponse));
    },

    /** The OIDC redirect URI: checks the answer; a ticket to choose with, or a refusal (audited). */
    async oidcAnswer(idpId: string, query: Record<string, string>, requestId: string) {
      const stored = await idpFor(idpId, 'oidc');
      return landing.land(stored.idp, requestId, () => oidc.answer(stored, query));
    },

    choices: landing.choices,
    choose: landing.choose,

    /** Where the browser lands with a ticket (the console's choice page). */
    landingUrlOf: (ticket: string) => {
      const url = new URL(deps.settings.landingUrl, deps.site.url);
      url.searchParams.set('ticket', ticket);
      return url.toString();
    },
  };
}

export type FederationService = ReturnType<typeof createFederationService>;
