import { federationErrors as errors } from './errors.js';
import { certificateOf, parseIdpMetadata } from './metadata.js';
import { DEFAULT_CLAIM_MAPPING, PROTOCOLS, type CheckedIdp, type IdpInput, type Protocol } from './types.js';

const MAX_CERTIFICATES = 5;

/** An https URL (http too when allowed); 400 naming the field otherwise. */
function urlOf(value: string, field: string, httpAllowed: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw errors.invalid(`${field} must be an absolute URL.`);
  }
  if (url.protocol !== 'https:' && !(httpAllowed && url.protocol === 'http:')) throw errors.invalid(`${field} must be an https URL.`);
  if (url.username || url.password) throw errors.invalid(`${field} must not carry credentials.`);
  return value;
}

const notFor = (input: IdpInput, protocol: Protocol, fields: Array<[keyof IdpInput, string]>) => {
  for (const [key, wire] of fields) {
    if (input[key] !== undefined) throw errors.invalid(`${wire} applies only to ${protocol === 'saml' ? 'OIDC' : 'SAML'} identity providers.`);
  }
};

/**
 * Checks an IdP as a client sent it. SAML: the metadata XML, when given, fills the entity id, SSO
 * URL, certificates and NameID format that are not given explicitly; an entity id, an SSO URL and
 * at least one signing certificate are required. OIDC: an issuer URL (discovery is read at each
 * sign-in) and a client id; the client secret is optional (a public client still uses PKCE);
 * `openid` is always among the scopes. Throws 400 naming the first problem.
 */
export async function checkIdpInput(input: IdpInput, httpAllowed: boolean): Promise<CheckedIdp> {
  if (!(PROTOCOLS as readonly string[]).includes(input.protocol)) throw errors.invalid(`protocol "${input.protocol}" is not one of ${PROTOCOLS.join(', ')}.`);
  const protocol = input.protocol as Protocol;
  const name = input.name.trim();
  if (name === '') throw errors.invalid('name must not be empty.');
  const claimMapping = { ...DEFAULT_CLAIM_MAPPING, ...input.claimMapping };
  const common = { name, description: input.description ?? null, protocol, claimMapping };

  if (protocol === 'saml') {
    notFor(input, protocol, [['clientId', 'client_id'], ['clientSecret', 'client_secret'], ['scopes', 'scopes']]);
    const metadata = input.metadataXml !== undefined ? await parseIdpMetadata(input.metadataXml) : undefined;
    const issuer = input.issuer ?? metadata?.entityId;
    if (!issuer) throw errors.invalid('issuer (the IdP entity id) or metadata_xml is required for a SAML identity provider.');
    const sso = input.ssoUrl ?? metadata?.ssoUrl;
    if (!sso) throw errors.invalid('sso_url, or metadata_xml with an HTTP-Redirect SingleSignOnService, is required for a SAML identity provider.');
    const given = input.certificates ?? metadata?.certificates ?? [];
    if (given.length === 0) throw errors.invalid('certificates, or metadata_xml with a signing certificate, is required: assertions must be signed.');
    if (given.length > MAX_CERTIFICATES) throw errors.invalid(`at most ${MAX_CERTIFICATES} signing certificates.`);
    return {
      ...common,
      issuer,
      ssoUrl: urlOf(sso, 'sso_url', httpAllowed),
      certificates: given.map((c, i) => certificateOf(c, `certificates[${i}]`)),
      nameIdFormat: input.nameIdFormat ?? metadata?.nameIdFormat ?? null,
      clientId: null,
      clientSecret: null,
      scopes: [],
    };
  }

  notFor(input, protocol, [['metadataXml', 'metadata_xml'], ['ssoUrl', 'sso_url'], ['certificates', 'certificates'], ['nameIdFormat', 'name_id_format']]);
  if (!input.issuer) throw errors.invalid('issuer is required for an OIDC identity provider.');
  if (!input.clientId) throw errors.invalid('client_id is required for an OIDC identity provider.');
  const scopes = [...new Set(['openid', ...(input.scopes ?? ['email', 'profile'])])];
  return {
    ...common,
    issuer: urlOf(input.issuer, 'issuer', httpAllowed),
    ssoUrl: null,
    certificates: [],
    nameIdFormat: null,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    scopes,
  };
}
