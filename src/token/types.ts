/**
 * The token domain's constants and shapes (shared/reference/tokens.md). Wire names stay as IBM
 * spells them (snake_case) because these objects are the wire format.
 */

export const APIKEY_GRANT = 'urn:ibm:params:oauth:grant-type:apikey';
export const REFRESH_TOKEN_GRANT = 'refresh_token';
/** A user's login and password (and one-time code), with the client's Basic credentials. */
export const PASSWORD_GRANT = 'password';
/** A compute resource's token → a trusted profile's token (src/token/profile-grants.ts). */
export const CR_TOKEN_GRANT = 'urn:ibm:params:oauth:grant-type:cr-token';
/** A caller's access token → a token of a trusted profile it may assume (src/token/profile-grants.ts). */
export const ASSUME_GRANT = 'urn:ibm:params:oauth:grant-type:assume';
export const SUPPORTED_GRANTS = [APIKEY_GRANT, REFRESH_TOKEN_GRANT, CR_TOKEN_GRANT, ASSUME_GRANT, PASSWORD_GRANT] as const;

/** The only response type issued: a Cloud IAM access token (the SDK always sends it). */
export const CLOUD_IAM = 'cloud_iam';

/** The client of callers that send no Basic credentials (IBM's "default" client). */
export const DEFAULT_CLIENT_ID = 'default';
export const TOKEN_SCOPE = 'ibm openid';

/** Access-token lifetime when the account sets none; also the longest one (IBM: 900–3600 s). */
export const DEFAULT_ACCESS_TOKEN_SECONDS = 3600;
export const MAX_ACCESS_TOKEN_SECONDS = 3600;
/**
 * Refresh-token lifetime when the account sets none: 3 days, the top of IBM's range for
 * `system_refresh_token_expiration_in_seconds` (900–259200); IBM documents no default.
 */
export const DEFAULT_REFRESH_TOKEN_SECONDS = 259_200;
export const MAX_REFRESH_TOKEN_SECONDS = 259_200;

/** The body of a successful `POST /identity/token`, exactly IBM's fields. */
export interface TokenResponse {
  access_token: string;
  /** Absent from trusted-profile tokens (cr-token, assume): IBM issues them none. */
  refresh_token?: string;
  token_type: 'Bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
  /** Unix seconds of expiry (= the JWT's `exp`). */
  expiration: number;
  scope: string;
}

/** `Authorization: Basic` credentials of a token request. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** The `authn` claim of service-ID tokens. */
export interface AuthnClaim {
  sub: string;
  iam_id: string;
  sub_type: string;
  name: string;
}

/** Claims of the access tokens this server issues (tokens.md §6). */
export interface AccessTokenClaims {
  iam_id: string;
  id: string;
  realmid: string;
  jti: string;
  identifier: string;
  given_name?: string;
  family_name?: string;
  name: string;
  email?: string;
  sub: string;
  sub_type?: string;
  authn?: AuthnClaim;
  account: { valid: boolean; bss: string; frozen?: boolean };
  iat: number;
  exp: number;
  iss: string;
  grant_type: string;
  scope: string;
  client_id: string;
  acr: number;
  amr: string[];
}

/** A public signing key as published in the JWKS (no `use`, as IBM publishes them). */
export interface PublicJwk {
  kty: string;
  n: string;
  e: string;
  alg: string;
  kid: string;
}
