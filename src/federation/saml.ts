import { SAML, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import { parseDomFromString, xpath } from '@node-saml/node-saml/lib/xml.js';
import { randomBytes } from 'node:crypto';
import { endpointsOf, type FederationContext } from './context.js';
import { refuse, type RefusalReason } from './errors.js';
import { pemOf } from './metadata.js';
import type { Assertion, IdentityProvider } from './types.js';

/**
 * SAML 2.0 web sign-on as a service provider (@node-saml/node-saml), per IdP: our entity id is the
 * IdP's metadata URL here, assertions come to its ACS by the POST binding.
 *
 * An answer is accepted only when (node-saml checks most of the first three):
 * - the assertion is signed by one of the IdP's registered certificates (wantAssertionsSigned; an
 *   unsigned one is refused even inside a signed response);
 * - its Issuer (the response's and the signed assertion's) is the IdP's entity id, its audience our entity id, and its NotBefore/NotOnOrAfter
 *   (and the subject confirmation's) hold within the configured clock skew;
 * - its InResponseTo names a request we sent to this same IdP that is still pending (an
 *   IdP-initiated answer, or one to another IdP's request, is refused);
 * - the bearer SubjectConfirmationData's Recipient, and the response's Destination when present,
 *   are this IdP's ACS URL;
 * - and then, in one transaction, the request is spent (deleted: of two racing answers one wins)
 *   and the assertion id recorded until it expires (a replay is refused by the primary key).
 */

const local = (name: string) => `*[local-name()='${name}']`;

/** node-saml's messages, sorted into our refusal reasons (it reports failures only as text). */
function reasonOf(message: string): RefusalReason {
  if (/InResponseTo/i.test(message)) return 'unknown_request';
  if (/signature/i.test(message)) return 'bad_signature';
  if (/audience/i.test(message)) return 'wrong_audience';
  // An expired bearer confirmation leaves node-saml with "no valid subject confirmation".
  if (/expired|not yet valid|subject confirmation/i.test(message)) return 'expired';
  if (/issuer/i.test(message)) return 'wrong_issuer';
  if (/provider returned/i.test(message)) return 'idp_error';
  return 'malformed';
}

const REFUSALS: Record<RefusalReason, string> = {
  malformed: 'The SAML response could not be read as a response with one assertion.',
  bad_signature: "The assertion's signature does not verify with the identity provider's registered certificates.",
  unsigned: 'The assertion is not signed: this service provider requires signed assertions.',
  wrong_audience: "The assertion's audience is not this service provider's entity id.",
  wrong_recipient: "The assertion's Recipient (or the response's Destination) is not this identity provider's ACS URL.",
  expired: 'The assertion is outside its validity period (NotBefore/NotOnOrAfter).',
  replayed: 'The assertion was already used.',
  unknown_request: "The response does not answer a pending sign-in request of this identity provider (InResponseTo).",
  wrong_issuer: "The assertion's Issuer is not this identity provider's entity id.",
  bad_state: '',
  bad_nonce: '',
  id_token_invalid: '',
  idp_error: 'The identity provider answered with an error status.',
  idp_unavailable: '',
  no_subject: 'The assertion names no subject (NameID).',
};
const refused = (reason: RefusalReason) => refuse(reason, REFUSALS[reason]);

type XmlJs = Record<string, any>;
const text = (node: unknown): string | undefined => (typeof node === 'string' ? node : ((node as XmlJs | undefined)?._ as string | undefined));

export function createSamlFlow(ctx: FederationContext) {
  const { store, clock, writer, settings } = ctx;

  /** A node-saml instance for one IdP; `cache` answers its InResponseTo look-ups. */
  function samlOf(idp: IdentityProvider, cache: CacheProvider, requestId?: string) {
    const ours = endpointsOf(ctx.site, idp.id);
    return new SAML({
      issuer: ours.entityId,
      callbackUrl: ours.acs,
      entryPoint: idp.ssoUrl ?? '',
      idpCert: idp.certificates.map(pemOf),
      idpIssuer: idp.issuer,
      audience: ours.entityId,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: settings.clockSkewSeconds * 1000,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: settings.requestTtlSeconds * 1000,
      identifierFormat: idp.nameIdFormat,
      disableRequestedAuthnContext: true,
      cacheProvider: cache,
      ...(requestId ? { generateUniqueId: () => requestId } : {}),
    });
  }

  const noCache: CacheProvider = { saveAsync: async () => null, getAsync: async () => null, removeAsync: async () => null };

  /** The checks node-saml leaves to us: Recipient and Destination, the assertion id and expiry. */
  async function ownChecks(idp: IdentityProvider, profile: Profile) {
    const acs = endpointsOf(ctx.site, idp.id).acs;
    const assertion = (profile.getAssertion?.() as XmlJs | undefined)?.Assertion as XmlJs | undefined;
    if (!assertion) throw refused('malformed');
    // node-saml compares only the Response's Issuer (which need not be signed): the signed assertion's must be the IdP too.
    if (text(assertion.Issuer?.[0]) !== idp.issuer) throw refused('wrong_issuer');
    const confirmations: XmlJs[] = (assertion.Subject?.[0]?.SubjectConfirmation ?? []) as XmlJs[];
    const bearer = confirmations.filter((c) => c.$?.Method === 'urn:oasis:names:tc:SAML:2.0:cm:bearer');
    const recipients = bearer.map((c) => c.SubjectConfirmationData?.[0]?.$?.Recipient as string | undefined);
    if (recipients.length === 0 || recipients.some((r) => r !== acs)) throw refused('wrong_recipient');
    const response = await parseDomFromString(profile.getSamlResponseXml?.() ?? '');
    const destination = xpath.selectAttributes(response, `/${local('Response')}/@Destination`)[0]?.nodeValue;
    if (destination && destination !== acs) throw refused('wrong_recipient');
    const id = assertion.$?.ID as string | undefined;
    if (!id) throw refused('malformed');
    const conditions = assertion.Conditions?.[0]?.$ as XmlJs | undefined;
    const notOnOrAfter = (conditions?.NotOnOrAfter as string | undefined) ?? bearer[0]?.SubjectConfirmationData?.[0]?.$?.NotOnOrAfter;
    const methods = ((assertion.AuthnStatement ?? []) as XmlJs[])
      .flatMap((s) => (s.AuthnContext?.[0]?.AuthnContextClassRef ?? []) as unknown[])
      .map(text)
      .filter((m): m is string => typeof m === 'string');
    return { assertionId: id, notOnOrAfter, methods };
  }

  return {
    /**
     * Starts an SP-initiated sign-in: stores the request (pending until answered or expired) and
     * returns the IdP URL that carries the AuthnRequest (HTTP-Redirect binding).
     */
    async loginUrl(idp: IdentityProvider): Promise<string> {
      const id = `_${randomBytes(20).toString('hex')}`;
      const now = clock.now();
      await writer.write(async (w) =>
        store.putRequest(w.trx, {
          id,
          idpId: idp.id,
          nonce: null,
          sealedVerifier: null,
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + settings.requestTtlSeconds * 1000).toISOString(),
        }),
      );
      return samlOf(idp, noCache, id).getAuthorizeUrlAsync('', undefined, {});
    },

    /** Checks a POSTed SAMLResponse (see above) and spends its request; the assertion, or a FederationRefusal. */
    async answer(idp: IdentityProvider, samlResponse: string): Promise<Assertion> {
      let unsignedAssertion = false;
      let assertionId: string | null = null;
      try {
        const doc = await parseDomFromString(Buffer.from(samlResponse, 'base64').toString('utf8'));
        const assertions = xpath.selectElements(doc, `/${local('Response')}/${local('Assertion')}`);
        // One plain assertion in a Response: encrypted assertions are not offered (we publish no encryption key).
        if (doc.documentElement?.localName !== 'Response' || assertions.length !== 1) throw new Error('not one assertion');
        unsignedAssertion = xpath.selectElements(assertions[0]!, `./${local('Signature')}`).length === 0;
        assertionId = assertions[0]!.getAttribute('ID');
      } catch {
        throw refused('malformed');
      }
      // A replay's request is spent already; name the replay as such (the insert below still decides races).
      if (assertionId && (await store.assertionSeen(idp.id, assertionId, clock.now().toISOString()))) throw refused('replayed');
      let inResponseTo: string | undefined;
      const pending: CacheProvider = {
        saveAsync: async () => null,
        getAsync: async (key) => {
          const request = await store.peekRequest(idp.id, key, clock.now().toISOString());
          if (request) inResponseTo = key;
          return request ? request.createdAt : null;
        },
        removeAsync: async () => null,
      };
      let profile: Profile;
      try {
        const result = await samlOf(idp, pending).validatePostResponseAsync({ SAMLResponse: samlResponse });
        if (!result.profile) throw new Error('no assertion');
        profile = result.profile;
      } catch (error) {
        const reason = reasonOf((error as Error).message ?? '');
        throw refused(unsignedAssertion && reason === 'bad_signature' ? 'unsigned' : reason);
      }
      if (unsignedAssertion) throw refused('unsigned');
      const checked = await ownChecks(idp, profile);
      if (!inResponseTo) throw refused('unknown_request');
      if (!profile.nameID) throw refused('no_subject');
      const now = clock.now();
      const expiresAt = checked.notOnOrAfter ?? new Date(now.getTime() + settings.requestTtlSeconds * 1000).toISOString();
      const spent = inResponseTo;
      await writer.write(async (w) => {
        if (!(await store.takeRequest(w.trx, idp.id, spent, now.toISOString()))) throw refused('unknown_request');
        if (!(await store.acceptAssertion(w.trx, idp.id, checked.assertionId, now.toISOString(), new Date(expiresAt).toISOString()))) throw refused('replayed');
      });
      const claims = { ...((profile.attributes as Record<string, unknown> | undefined) ?? {}) };
      return { subject: profile.nameID, claims, methods: checked.methods };
    },

    /** Our SP metadata for the IdP: entity id, ACS (POST binding), NameID format, signed assertions wanted. */
    metadata(idp: IdentityProvider): string {
      return samlOf(idp, noCache).generateServiceProviderMetadata(null);
    },
  };
}

export type SamlFlow = ReturnType<typeof createSamlFlow>;
