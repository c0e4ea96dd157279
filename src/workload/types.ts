import type { JSONWebKeySet } from 'jose';

/**
 * Workload identity: the issuers of compute-resource tokens an account trusts (a Portcullis
 * extension; IBM trusts only its own compute platforms), and what a verified token says.
 */

export const ISSUER_TYPES = ['kubernetes', 'code_engine', 'oidc'] as const;
export type IssuerType = (typeof ISSUER_TYPES)[number];

/**
 * The asymmetric JWS algorithms an issuer may allow. `none` and the HMAC algorithms (HS*) are
 * never accepted: a shared secret would let anyone who verifies tokens also mint them.
 */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export const DEFAULT_ALGORITHMS = ['RS256', 'ES256'];
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

/** Bounds of an issuer's fields: the request schemas and checkIssuerInput (validate.ts) both hold to them. */
export const ISSUER_LIMITS = {
  name: 100,
  audiences: 20,
  keys: 20,
  algorithms: 10,
  maxClockSkewSeconds: 300,
} as const;

/** An issuer's settable fields, checked (validate.ts): what a create sets and an update replaces. */
export interface IssuerSettings {
  name: string;
  description: string | null;
  type: IssuerType;
  /** The `iss` of its tokens (unique in the account). */
  issuer: string;
  /** A token must carry at least one of them in `aud`. */
  audiences: string[];
  /** Where its public keys are fetched (exactly one of jwksUrl and jwks is set). */
  jwksUrl: string | null;
  /** Its public keys, uploaded (air-gapped clusters). */
  jwks: JSONWebKeySet | null;
  algorithms: string[];
  maxClockSkewSeconds: number;
  /** The compute resource (e.g. the cluster) its tokens come from, matched by a link's or rule's `crn`. */
  resourceCrn: string | null;
}

export interface TrustedIssuer extends IssuerSettings {
  /** `TrustedIssuer-<uuid>`. */
  id: string;
  accountId: string;
  createdBy: string;
  createdAt: string;
  modifiedAt: string;
  entityTag: string;
}

/** The fields a client sets on create and replaces on update. */
export interface IssuerInput {
  name: string;
  description?: string;
  type: string;
  issuer: string;
  audiences: string[];
  jwksUrl?: string;
  jwks?: unknown;
  algorithms?: string[];
  maxClockSkewSeconds?: number;
  resourceCrn?: string;
}

/**
 * A compute resource as a verified token describes it: the issuer that vouched for it, the
 * facts links and rules match on, and every claim of the token.
 */
export interface WorkloadIdentity {
  issuer: TrustedIssuer;
  /** The compute resource's CRN: the issuer's `resource_crn`, else the issuer's own CRN. */
  crn: string;
  /** Kubernetes: the service account's namespace. */
  namespace?: string;
  /** Kubernetes: the service account's name; otherwise the token's `sub`. */
  name?: string;
  /** Code Engine: the component's type and name. */
  componentType?: string;
  componentName?: string;
  claims: Readonly<Record<string, unknown>>;
}
