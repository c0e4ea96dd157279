/** Federated sign-in: identity providers of an account, and what a sign-in through them yields. */

export const PROTOCOLS = ['saml', 'oidc'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * Which claim (SAML attribute name, OIDC claim) holds what. `email` finds the account's member (the
 * NameID is used when the attribute is absent); `name` is shown in the profile choice; `mfa` holds
 * the authentication methods the IdP used (OIDC `amr`), from which the sign-in's level is recorded.
 */
export interface ClaimMapping {
  email: string;
  name: string;
  mfa: string;
}

export const DEFAULT_CLAIM_MAPPING: ClaimMapping = { email: 'email', name: 'name', mfa: 'amr' };

/** An identity provider an account trusts for sign-in. */
export interface IdentityProvider {
  id: string;
  accountId: string;
  name: string;
  description: string | null;
  protocol: Protocol;
  /** SAML: the IdP's entity id; OIDC: its issuer. The `realm_name` of claim and dynamic rules. */
  issuer: string;
  /** SAML: where AuthnRequests go (HTTP-Redirect binding). */
  ssoUrl: string | null;
  /** SAML: the IdP's signing certificates, base64 DER (no PEM armour). */
  certificates: string[];
  /** SAML: the NameID format asked for; null for unspecified. */
  nameIdFormat: string | null;
  /** OIDC: our client id at the IdP. */
  clientId: string | null;
  /** OIDC: whether a client secret is stored (the secret itself is never shown again). */
  hasClientSecret: boolean;
  scopes: string[];
  claimMapping: ClaimMapping;
  createdBy: string;
  createdAt: string;
  modifiedAt: string;
  entityTag: string;
}

/** What a client sends to register or replace an identity provider (camelCase). */
export interface IdpInput {
  name: string;
  description?: string;
  protocol: string;
  /** SAML: the IdP's metadata XML; its fields fill in what is not given. */
  metadataXml?: string;
  issuer?: string;
  ssoUrl?: string;
  certificates?: string[];
  nameIdFormat?: string;
  clientId?: string;
  clientSecret?: string;
  scopes?: string[];
  claimMapping?: Partial<ClaimMapping>;
}

/** The fields of an identity provider as checked (the client secret still in clear). */
export interface CheckedIdp {
  name: string;
  description: string | null;
  protocol: Protocol;
  issuer: string;
  ssoUrl: string | null;
  certificates: string[];
  nameIdFormat: string | null;
  clientId: string | null;
  /** undefined: keep the stored one (on replace); null: none. */
  clientSecret: string | null | undefined;
  scopes: string[];
  claimMapping: ClaimMapping;
}

/**
 * What an identity provider asserted about a person, once every check passed: the subject (NameID
 * or `sub`), the claims (attributes), and how the IdP authenticated them.
 */
export interface Assertion {
  subject: string;
  claims: Record<string, unknown>;
  /** The IdP's authentication methods (OIDC `amr`, SAML AuthnContextClassRef), as reported. */
  methods: string[];
}

/** A trusted profile a federated person may sign in as (its Profile-SAML rule matched). */
export interface ProfileChoice {
  profileId: string;
  iamId: string;
  name: string;
  description: string | null;
  /** How long a session as the profile lasts: the longest expiration of the matching rules, in seconds. */
  sessionSeconds: number;
}

/** The choices a ticket offers: sign in as the account's member (when the person is one) or as a profile. */
export interface Choices {
  accountId: string;
  idpId: string;
  subject: string;
  name: string | null;
  memberIamId: string | null;
  profiles: ProfileChoice[];
  expiresAt: string;
}
