/** Sign-in: what the password, MFA and session flows share. */

/**
 * How a sign-in was made, carried by the tokens it yields (tokens.md §6): `acr` is the
 * authentication level (1 password only, 2 with a one-time code, 3 with a passkey) and `amr`
 * the methods used (`pwd`, `totp`, `otp` for a recovery code, `hwk` for a passkey: RFC 8176's
 * proof of possession of a key held by an authenticator).
 */
export interface AuthnLevel {
  grantType: string;
  acr: number;
  amr: string[];
  /**
   * The API key a browser session signed in with (`POST /signin/apikey`): the session's tokens
   * are the key's, each issued only while the key still works.
   */
  apiKeyId?: string;
}

/** A person signed in to one account: who, where, and how. */
export interface SignedIn {
  iamId: string;
  accountId: string;
  authn: AuthnLevel;
}

/** What the password grant of `POST /identity/token` hands the sign-in service (form fields). */
export interface PasswordAttempt {
  username: string;
  password: string;
  /** The account to sign in to; may be omitted when the user is an active member of one account only. */
  account?: string;
  /** A one-time code (TOTP or recovery code) when the account requires MFA. */
  passcode?: string;
  /** A passkey's answer (WebAuthn AuthenticationResponseJSON) to a challenge of `/signin/passkey/options`. */
  webauthn?: unknown;
}

/** Where a sign-in attempt comes from: the request (for the audit trail) and the client address (for lockout). */
export interface SignInOrigin {
  requestId: string;
  clientAddress: string;
}

/** The password rules: at least `minLength` characters, and not on the shipped list of common passwords. */
export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}
