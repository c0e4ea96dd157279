import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '../kernel/clock.js';
import type { DomainError } from '../kernel/errors.js';
import { hashSecret } from '../kernel/secrets.js';
import { subjectKindOf } from '../kernel/ids.js';
import type { AuthnLevel, PasswordAttempt, SignedIn, SignInOrigin } from '../signin/types.js';
import type { Db } from '../store/db.js';
import { createActivityRecorder } from './activity.js';
import { tokenErrors } from './errors.js';
import type { ProfileGrants } from './profile-grants.js';
import type { SigningKeys } from './signing-keys.js';
import { createTokenStore, type RefreshTokenRow } from './store.js';
import type { GrantSubjectRow, GrantSubjects } from './subjects.js';
import type { IdentityStore } from '../identity/store.js';
import { writeBehind } from './write-behind.js';
import {
  APIKEY_GRANT,
  CLOUD_IAM,
  DEFAULT_ACCESS_TOKEN_SECONDS,
  DEFAULT_CLIENT_ID,
  DEFAULT_REFRESH_TOKEN_SECONDS,
  MAX_ACCESS_TOKEN_SECONDS,
  MAX_REFRESH_TOKEN_SECONDS,
  PASSWORD_GRANT,
  REFRESH_TOKEN_GRANT,
  SUPPORTED_GRANTS,
  TOKEN_SCOPE,
  type AccessTokenClaims,
  type ClientCredentials,
  type TokenResponse,
} from './types.js';

export interface TokenServiceDeps {
  db: Db;
  /** Unused by grants (they are not management mutations); kept for the registry's uniform wiring. */
  clock: Clock;
  signingKeys: SigningKeys;
  /** The `iss` of issued tokens: `<public url>/identity`. */
  issuer: () => string;
  /** Who a grant is for: API keys with their identities, signed-in users (token/subjects.ts). */
  subjects: GrantSubjects;
  /** Where API keys' authentications are counted (the identity store). */
  keyActivity: Pick<IdentityStore, 'recordActivity'>;
  /** The trusted-profile grants (cr-token, assume), when the server has trusted profiles. */
  profileGrants?: Pick<ProfileGrants, 'handles' | 'grant' | 'sessionToken'>;
  /**
   * Checks a password grant (the sign-in domain): the user, the account and how they signed in
   * (MFA level); throws the token API's errors. Without it the password grant is not offered.
   */
  passwordSignIn?: (attempt: PasswordAttempt, origin: SignInOrigin) => Promise<SignedIn>;
  /**
   * The instant before which an identity's refresh tokens for an account no longer count (a
   * password reset or change, a second factor removed, the user removed: the sign-in domain's
   * revocation); undefined when none. Without it nothing is revoked that way.
   */
  revokedBefore?: (iamId: string, accountId: string) => Promise<string | undefined>;
  /** The sign-in level (`acr`) a user needs in an account now; a password sign-in's refresh below it is refused. */
  acrRequiredOf?: (accountId: string, iamId: string) => Promise<number>;
}

/** Whether a token for that identity in that account may be issued to the requesting client; throws if not. */
export type GrantAdmission = (grant: { accountId: string; iamId: string }) => Promise<void>;

/** The identity a token is issued to, after every check passed. */
interface Subject {
  /** The API key the identity authenticated with; null for a user who signed in otherwise (password). */
  apiKeyId: string | null;
  iamId: string;
  /** The account the token is scoped to (`account.bss`). */
  accountId: string;
  /** That account's identity settings JSON. */
  settings: string | null;
  identity:
    | { kind: 'user'; login: string; email: string; firstName: string; lastName: string; realm: string }
    | { kind: 'serviceid'; id: string; name: string };
}

/** The errors a grant reports when the API key behind it cannot be used. */
interface KeyProblems {
  gone: () => DomainError;
  disabled: () => DomainError;
  expired: () => DomainError;
  locked: () => DomainError;
  serviceIdLocked: () => DomainError;
}

const APIKEY_PROBLEMS: KeyProblems = {
  gone: tokenErrors.apiKeyNotFound,
  disabled: tokenErrors.apiKeyDisabled,
  expired: tokenErrors.apiKeyExpired,
  locked: tokenErrors.apiKeyLocked,
  serviceIdLocked: tokenErrors.serviceIdLocked,
};

const REFRESH_PROBLEMS: KeyProblems = {
  gone: () => tokenErrors.refreshTokenInvalid('The API key it was issued for no longer exists.'),
  disabled: () => tokenErrors.refreshTokenInvalid('The API key it was issued for is disabled.'),
  expired: () => tokenErrors.refreshTokenInvalid('The API key it was issued for has expired.'),
  locked: () => tokenErrors.refreshTokenInvalid('The API key it was issued for is locked.'),
  serviceIdLocked: () => tokenErrors.refreshTokenInvalid('The service ID it was issued for is locked.'),
};

/** New refresh tokens are stored within this delay, in batches (see createTokenService). */
const REFRESH_WRITE_DELAY_MS = 10;
/** Activity is flushed this often; expired refresh tokens are purged every PURGE_EVERY flushes. */
const ACTIVITY_FLUSH_MS = 1000;
const PURGE_EVERY = 60;

/** How an identity that presented an API key authenticated (IBM: acr 1, amr pwd). */
const APIKEY_AUTHN: AuthnLevel = { grantType: APIKEY_GRANT, acr: 1, amr: ['pwd'] };

const unsupportedGrant = (grantType: string) =>
  tokenErrors.invalidProperty('grant_type', `Unsupported grant_type "${grantType}"; supported: ${SUPPORTED_GRANTS.join(', ')}.`);

/** The `webauthn` form field of a password grant: a passkey's answer as JSON (its shape is checked by the sign-in domain). */
function parsedWebauthn(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw tokenErrors.invalidProperty('webauthn', "'webauthn' must be the JSON of a passkey's answer (PublicKeyCredential: id, rawId, type, response).");
  }
}

/** A non-empty string form field, else undefined. */
function field(form: Record<string, unknown>, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * A lifetime setting (IBM wire name) of an account: a decimal string (or number) within
 * (0, max], else the default; `NOT_SET` and absent settings take the default.
 */
function lifetimeSeconds(settings: string | null, name: string, fallback: number, max: number): number {
  if (!settings) return fallback;
  let value: unknown;
  try {
    value = (JSON.parse(settings) as Record<string, unknown>)[name];
  } catch {
    return fallback;
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n > 0 && n <= max ? n : fallback;
}

/**
 * The token endpoint's grants (tokens.md §2–3):
 * - `urn:ibm:params:oauth:grant-type:apikey`: API key → access token for the key's user or
 *   service ID, and a refresh token. (IBM returns `refresh_token: "not_supported"` to the default
 *   client; Portcullis issues a real one so the refresh_token grant works.)
 * - `refresh_token`: a refresh token, consumed once → a new access token and a new refresh token of
 *   the same family (rotation), after re-checking that the identity is still usable, not revoked
 *   since (`revokedBefore`) and, for a password sign-in, still at the MFA level the account asks
 *   of the user; the new token keeps how the identity signed in (grant type and MFA level). A
 *   spent token presented again revokes its whole family (reuse detection, durable in the
 *   database so it holds on every node and for tokens still being written behind).
 * - `password`: a user's login and password (and `passcode` when the account requires MFA),
 *   checked by the sign-in domain (`passwordSignIn`), with the client's Basic credentials.
 *
 * Usable identity: the API key exists, is not disabled and not past `expires_at`; a service ID
 * still exists (and the token's account is its own); a user key's token is for the account the
 * key was created in (`account=` of another account is refused), where the user is an ACTIVE member; neither the key nor its service ID is locked (locking an identity stops its use until
 * it is unlocked, and also protects it from updates and deletion).
 *
 * Writes: a grant writes nothing before it answers, so its cost stays close to the RS256
 * signature. New refresh tokens are written behind, batched within 10 ms (one INSERT and one
 * commit for all grants of that window); API-key activity within 1 s (activity.ts). Trade-off: a
 * crash loses the refresh tokens of the last 10 ms (their holders get BXNIM0407E and repeat the
 * API-key grant, as the IBM SDK always does anyway), and another node may not know a refresh
 * token during its first 10 ms. On this node a refresh_token grant first writes what is pending.
 * A grant is not a management mutation: no change-feed entry and no audit event.
 */
export function createTokenService(deps: TokenServiceDeps) {
  const { clock, signingKeys, issuer } = deps;
  const store = createTokenStore(deps.db);
  const refreshTokens = writeBehind<RefreshTokenRow>((rows) => store.insertRefreshTokens(rows), REFRESH_WRITE_DELAY_MS);
  const activity = createActivityRecorder(deps.keyActivity);

  let flushes = 0;
  const maintenance = setInterval(() => {
    flushes += 1;
    const purge = flushes % PURGE_EVERY === 0 ? store.deleteExpiredRefreshTokens(clock.now().toISOString()) : undefined;
    // A failed round loses at most that round's activity counts (see activity.ts); purging retries next time.
    void Promise.all([activity.flush(), purge]).catch(() => undefined);
  }, ACTIVITY_FLUSH_MS);
  maintenance.unref();

  function checkResponseType(form: Record<string, unknown>): void {
    const requested = field(form, 'response_type') ?? CLOUD_IAM;
    const unsupported = requested.split(/[\s,]+/).filter((t) => t && t !== CLOUD_IAM);
    if (unsupported.length > 0) {
      throw tokenErrors.invalidProperty('response_type', `Unsupported response_type "${unsupported.join(' ')}"; supported: ${CLOUD_IAM}.`);
    }
  }

  /** Checks that the key and its identity can be used for a token scoped to `requestedAccount` (default: the key's). */
  async function subjectOf(row: GrantSubjectRow, requestedAccount: string | undefined, now: Date, problems: KeyProblems): Promise<Subject> {
    if (Number(row.disabled) === 1) throw problems.disabled();
    if (Number(row.locked) === 1) throw problems.locked();
    if (row.expiresAt && Date.parse(row.expiresAt) <= now.getTime()) throw problems.expired();
    const accountId = requestedAccount ?? row.accountId;

    if (row.ownerType === 'serviceid') {
      if (!row.serviceId || !row.serviceIdName) throw problems.gone();
      if (Number(row.serviceIdLocked) === 1) throw problems.serviceIdLocked();
      if (accountId !== row.serviceIdAccountId) throw tokenErrors.notAccountMember(accountId);
      return {
        apiKeyId: row.keyId,
        iamId: row.iamId,
        accountId,
        settings: row.settings,
        identity: { kind: 'serviceid', id: row.serviceId, name: row.serviceIdName },
      };
    }

    if (row.userId === null) throw problems.gone();
    // A user API key is bound to the account it was created in, as at IBM: no tokens elsewhere.
    if (accountId !== row.accountId) throw tokenErrors.apiKeyOtherAccount(accountId);
    if (row.membership !== 'ACTIVE') throw tokenErrors.notAccountMember(accountId);
    return {
      apiKeyId: row.keyId || null,
      iamId: row.iamId,
      accountId,
      settings: row.settings,
      identity: {
        kind: 'user',
        login: row.userId,
        email: row.email ?? row.userId,
        firstName: row.firstName ?? '',
        lastName: row.lastName ?? '',
        realm: row.realm ?? 'IBMid',
      },
    };
  }

  function claimsOf(subject: Subject, clientId: string, iat: number, exp: number, authn: AuthnLevel): AccessTokenClaims {
    const common = { iam_id: subject.iamId, id: subject.iamId };
    const tail = {
      iat,
      exp,
      iss: issuer(),
      // How the identity signed in (a refresh keeps it): the grant, the MFA level (acr) and the methods (amr).
      grant_type: authn.grantType,
      scope: TOKEN_SCOPE,
      client_id: clientId,
      acr: authn.acr,
      amr: authn.amr,
    };
    const { identity } = subject;
    if (identity.kind === 'serviceid') {
      return {
        ...common,
        realmid: 'iam',
        jti: randomUUID(),
        identifier: identity.id,
        name: identity.name,
        sub: identity.id,
        sub_type: 'ServiceId',
        authn: { sub: identity.id, iam_id: subject.iamId, sub_type: 'ServiceId', name: identity.name },
        account: { valid: true, bss: subject.accountId, frozen: true },
        ...tail,
      };
    }
    const prefix = `${identity.realm}-`;
    const fullName = `${identity.firstName} ${identity.lastName}`.trim();
    return {
      ...common,
      realmid: identity.realm,
      jti: randomUUID(),
      identifier: subject.iamId.startsWith(prefix) ? subject.iamId.slice(prefix.length) : subject.iamId,
      given_name: identity.firstName,
      family_name: identity.lastName,
      name: fullName || identity.login,
      email: identity.email,
      sub: identity.login,
      account: { valid: true, bss: subject.accountId },
      ...tail,
    };
  }

  /** Signs an access token and a refresh token for the subject; `family` is the refresh chain the new token continues (a new one by default). */
  async function issue(subject: Subject, clientId: string, now: Date, admit?: GrantAdmission, authn: AuthnLevel = APIKEY_AUTHN, family?: string): Promise<TokenResponse> {
    await admit?.({ accountId: subject.accountId, iamId: subject.iamId });
    const iat = Math.floor(now.getTime() / 1000);
    const accessSeconds = lifetimeSeconds(
      subject.settings,
      'system_access_token_expiration_in_seconds',
      DEFAULT_ACCESS_TOKEN_SECONDS,
      MAX_ACCESS_TOKEN_SECONDS,
    );
    const refreshSeconds = lifetimeSeconds(
      subject.settings,
      'system_refresh_token_expiration_in_seconds',
      DEFAULT_REFRESH_TOKEN_SECONDS,
      MAX_REFRESH_TOKEN_SECONDS,
    );
    const exp = iat + accessSeconds;
    const { kid, key } = signingKeys.current();
    const accessToken = await new SignJWT({ ...claimsOf(subject, clientId, iat, exp, authn) }).setProtectedHeader({ kid, alg: 'RS256' }).sign(key);
    const refreshToken = randomBytes(32).toString('base64url');
    const tokenHash = hashSecret(refreshToken);
    refreshTokens.add({
      token_hash: tokenHash,
      family: family ?? tokenHash,
      used_at: null,
      iam_id: subject.iamId,
      account_id: subject.accountId,
      api_key_id: subject.apiKeyId,
      client_id: clientId,
      scope: TOKEN_SCOPE,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + refreshSeconds * 1000).toISOString(),
      authn: authn === APIKEY_AUTHN ? null : JSON.stringify(authn),
    });
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: accessSeconds,
      expiration: exp,
      scope: TOKEN_SCOPE,
    };
  }

  async function apikeyGrant(form: Record<string, unknown>, clientId: string, admit?: GrantAdmission): Promise<TokenResponse> {
    const apikey = field(form, 'apikey');
    if (!apikey) throw tokenErrors.missingProperty('apikey');
    checkResponseType(form);
    const row = await deps.subjects.byKeyHash(hashSecret(apikey));
    if (!row) throw tokenErrors.apiKeyNotFound();
    const now = clock.now();
    const subject = await subjectOf(row, field(form, 'account'), now, APIKEY_PROBLEMS);
    const response = await issue(subject, clientId, now, admit);
    activity.record(row.keyId, now.toISOString());
    return response;
  }

  async function refreshGrant(form: Record<string, unknown>, clientId: string, admit?: GrantAdmission): Promise<TokenResponse> {
    const value = field(form, 'refresh_token');
    if (!value) throw tokenErrors.missingProperty('refresh_token');
    checkResponseType(form);
    await refreshTokens.flush();
    const hash = hashSecret(value);
    // The client address is admitted before the token is spent, so a refusal leaves it usable from an allowed address.
    const holder = await store.refreshTokenHolder(hash);
    if (holder) await admit?.(holder);
    const now = clock.now();
    const row = await store.consumeRefreshToken(hash, now.toISOString());
    if (!row) {
      // A spent token presented again: someone holds a copy. The whole chain is revoked, the
      // legitimate holder's newest token included (they sign in again).
      const spent = await store.spentRefreshToken(hash);
      if (spent) {
        await store.revokeRefreshFamily(spent.family, now.toISOString(), new Date(now.getTime() + MAX_REFRESH_TOKEN_SECONDS * 1000).toISOString());
        throw tokenErrors.refreshTokenInvalid('It was already used: every refresh token descended from the same sign-in is revoked.');
      }
      throw tokenErrors.refreshTokenInvalid();
    }
    if (Date.parse(row.expires_at) <= now.getTime()) throw tokenErrors.refreshTokenExpired();
    if (row.client_id !== clientId) throw tokenErrors.refreshTokenInvalid('It was issued to another client.');
    const family = row.family ?? row.token_hash;
    if (await store.refreshFamilyRevoked(family)) throw tokenErrors.refreshTokenInvalid('It belongs to a chain of refresh tokens revoked after one of them was reused.');
    const revokedBefore = await deps.revokedBefore?.(row.iam_id, row.account_id);
    if (revokedBefore !== undefined && row.created_at < revokedBefore) {
      throw tokenErrors.refreshTokenInvalid("It was revoked: the user's password or second factor changed, or the user was removed from the account.");
    }
    // A signed-in user's token (password grant) is refreshed for the user; an API key's for the key.
    const authn = row.authn ? (JSON.parse(row.authn) as AuthnLevel) : APIKEY_AUTHN;
    const keyRow =
      row.api_key_id !== null
        ? await deps.subjects.byKeyId(row.api_key_id)
        : row.authn
          ? await deps.subjects.byUser(row.iam_id, row.account_id)
          : undefined;
    if (!keyRow || keyRow.iamId !== row.iam_id) throw REFRESH_PROBLEMS.gone();
    const subject = await subjectOf(keyRow, row.account_id, now, REFRESH_PROBLEMS);
    // A sign-in made at a lower level than the account now requires of the user is not extended (API keys are exempt, as at IBM).
    if (row.api_key_id === null && deps.acrRequiredOf && authn.acr < (await deps.acrRequiredOf(row.account_id, row.iam_id))) {
      throw tokenErrors.refreshTokenInvalid('The account now requires a higher multifactor authentication level than the sign-in behind it: sign in again.');
    }
    return issue(subject, clientId, now, admit, authn, family);
  }

  /**
   * `password`: a user's login and password (and a one-time code when the account requires MFA),
   * checked by the sign-in domain, with the client's Basic credentials (IBM: BXNIM0308E without).
   */
  async function passwordGrant(
    form: Record<string, unknown>,
    client: ClientCredentials | undefined,
    origin: SignInOrigin,
    admit?: GrantAdmission,
  ): Promise<TokenResponse> {
    const signIn = deps.passwordSignIn;
    if (!signIn) throw unsupportedGrant(PASSWORD_GRANT);
    if (!client) throw tokenErrors.clientRequired();
    const username = field(form, 'username');
    if (!username) throw tokenErrors.missingProperty('username');
    const password = field(form, 'password');
    if (!password) throw tokenErrors.missingProperty('password');
    checkResponseType(form);
    const account = field(form, 'account');
    const passcode = field(form, 'passcode');
    const webauthn = field(form, 'webauthn');
    const signedIn = await signIn(
      { username, password, ...(account ? { account } : {}), ...(passcode ? { passcode } : {}), ...(webauthn ? { webauthn: parsedWebauthn(webauthn) } : {}) },
      origin,
    );
    const row = await deps.subjects.byUser(signedIn.iamId, signedIn.accountId);
    if (!row) throw tokenErrors.notAccountMember(signedIn.accountId);
    const now = clock.now();
    const subject = await subjectOf(row, signedIn.accountId, now, APIKEY_PROBLEMS);
    return issue(subject, client.clientId, now, admit, signedIn.authn);
  }

  /**
   * An access token for the user of a live browser session (the console's bearer token): the same
   * checks as a password grant's subject (an ACTIVE member of the session's account), the session's
   * sign-in level, no refresh token, and never valid past `notAfter` (the session's end). A session
   * of a trusted profile (a federated sign-in's choice) gets the profile's token (profile-grants.ts).
   */
  async function sessionToken(
    signedIn: { iamId: string; accountId: string; authn: AuthnLevel },
    notAfter: Date,
    admit?: GrantAdmission,
  ): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; expiration: number }> {
    // A federated sign-in may choose a trusted profile: its session's tokens are the profile's.
    if (deps.profileGrants && subjectKindOf(signedIn.iamId) === 'profile') {
      const { access_token, token_type, expires_in, expiration } = await deps.profileGrants.sessionToken(signedIn, notAfter, DEFAULT_CLIENT_ID, admit);
      return { access_token, token_type, expires_in, expiration };
    }
    // A session an API key opened is the key's: checked again at every token, so it ends with the key.
    const keyId = signedIn.authn.apiKeyId;
    const row = keyId ? await deps.subjects.byKeyId(keyId) : await deps.subjects.byUser(signedIn.iamId, signedIn.accountId);
    if (!row) throw keyId ? APIKEY_PROBLEMS.gone() : tokenErrors.notAccountMember(signedIn.accountId);
    if (row.iamId !== signedIn.iamId) throw APIKEY_PROBLEMS.gone();
    const now = clock.now();
    const subject = await subjectOf(row, signedIn.accountId, now, APIKEY_PROBLEMS);
    await admit?.({ accountId: subject.accountId, iamId: subject.iamId });
    const iat = Math.floor(now.getTime() / 1000);
    const accessSeconds = lifetimeSeconds(subject.settings, 'system_access_token_expiration_in_seconds', DEFAULT_ACCESS_TOKEN_SECONDS, MAX_ACCESS_TOKEN_SECONDS);
    const exp = Math.min(iat + accessSeconds, Math.floor(notAfter.getTime() / 1000));
    const { kid, key } = signingKeys.current();
    const accessToken = await new SignJWT({ ...claimsOf(subject, DEFAULT_CLIENT_ID, iat, exp, signedIn.authn) })
      .setProtectedHeader({ kid, alg: 'RS256' })
      .sign(key);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: exp - iat, expiration: exp };
  }

  /**
   * Checks an API key for a browser session (`POST /signin/apikey`) as the apikey grant checks it
   * (usable key and identity, the key's account, `admit`), without issuing a token: who signed in,
   * with the key's id in `authn` (sessionToken checks the key again for every token), and when the
   * key expires, if it does (the session must end by then).
   */
  async function apikeySignIn(apikey: string, admit?: GrantAdmission): Promise<{ signedIn: SignedIn; keyExpiresAt?: string }> {
    const row = await deps.subjects.byKeyHash(hashSecret(apikey));
    if (!row) throw tokenErrors.apiKeyNotFound();
    const now = clock.now();
    const subject = await subjectOf(row, undefined, now, APIKEY_PROBLEMS);
    await admit?.({ accountId: subject.accountId, iamId: subject.iamId });
    activity.record(row.keyId, now.toISOString());
    const signedIn = { iamId: subject.iamId, accountId: subject.accountId, authn: { ...APIKEY_AUTHN, apiKeyId: row.keyId } };
    return row.expiresAt ? { signedIn, keyExpiresAt: row.expiresAt } : { signedIn };
  }

  return {
    sessionToken,
    apikeySignIn,

    /**
     * Runs one grant of `POST /identity/token`. `form` is the request's form fields (plus
     * `account` from the query); `client` the Basic credentials, if any. Without a client registry
     * the client secret is not verified: the client id only names the token's `client_id` and binds
     * refresh tokens to the client they were issued to. `admit`, when given, is asked last, once
     * the token's identity and account are known; it throws to refuse the grant (e.g. the
     * account's allowed IP addresses). `requestId` names the request in the audit events a sign-in
     * records; `clientAddress` is where a password sign-in comes from (its lockout counts per address).
     */
    async grant(
      form: Record<string, unknown>,
      client?: ClientCredentials,
      admit?: GrantAdmission,
      requestId: string = randomUUID(),
      clientAddress = '',
    ): Promise<TokenResponse> {
      const grantType = field(form, 'grant_type');
      if (!grantType) throw tokenErrors.missingProperty('grant_type');
      const clientId = client?.clientId || DEFAULT_CLIENT_ID;
      if (grantType === APIKEY_GRANT) return apikeyGrant(form, clientId, admit);
      if (grantType === REFRESH_TOKEN_GRANT) return refreshGrant(form, clientId, admit);
      if (grantType === PASSWORD_GRANT) return passwordGrant(form, client, { requestId, clientAddress }, admit);
      if (deps.profileGrants?.handles(grantType)) return deps.profileGrants.grant(grantType, form, clientId, admit);
      throw unsupportedGrant(grantType);
    },

    /** Writes pending refresh tokens and activity and stops the background writes (call before closing the database). */
    async close(): Promise<void> {
      clearInterval(maintenance);
      await refreshTokens.flush();
      await activity.flush().catch(() => undefined);
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
