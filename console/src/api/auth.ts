import { useSyncExternalStore } from 'react';
import { apiErrorOf, bodyOf } from './errors.ts';
import { claimsOf } from './token.ts';

/**
 * Who is signed in, and the bearer token the console calls the APIs with.
 *
 * Every sign-in opens a server session (HttpOnly cookie) and gets its CSRF token: a password (with
 * a one-time code or a passkey where the account asks for one), an identity provider (then the
 * choice of member or trusted profile), or an API key. The console then asks
 * `POST /signin/session/token` (cookie + X-CSRF-Token) for short-lived access tokens of the
 * session's identity. Tokens live only in memory. The CSRF token is kept in sessionStorage (this
 * tab only): it is useless without the cookie, and lets a page reload stay signed in.
 *
 * An API key is exchanged once at `POST /signin/apikey` for such a session and then forgotten.
 * Keeping the key (or an IAM refresh token) in sessionStorage instead would put a bearer
 * credential within reach of any script on the page, usable from anywhere and outliving the tab;
 * the session's secret stays in an HttpOnly cookie no script reads, is bound to this site, ends at
 * sign-out, expiry or inactivity, is listed and revocable with the user's sessions, and its tokens
 * stop when the key is deleted or expires.
 *
 * Tokens are renewed when a call needs one and the current one ends within a minute, so an idle
 * console does not keep its session alive. A token ends no later than the session's inactivity
 * deadline, so a console in use renews (and so keeps its session active) before it idles out: in
 * the last minutes before that deadline every call renews, and the warning of `SessionExpiry`
 * offers to stay signed in.
 */
export interface Identity {
  iamId: string;
  accountId: string;
  name: string;
  /** When the session ends (ms since the epoch): its fixed lifetime. */
  sessionEndsAt: number;
  /** When the session ends unless it is used again (ms since the epoch): its inactivity limit. */
  sessionIdleEndsAt: number;
}

export type AuthState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; identity: Identity };

interface Credentials {
  accessToken: string;
  /** Seconds since the epoch. */
  expiration: number;
  renew: () => Promise<Credentials>;
}

const CSRF_KEY = 'portcullis.csrf';
const RENEW_BEFORE_SECONDS = 60;
/** How long before the session ends the console warns, and renews at every call when that moves the inactivity deadline. */
export const SESSION_WARNING_MS = 5 * 60 * 1000;

/** A tab without a session's CSRF token is signed out from its first render (nothing to resume). */
let state: AuthState = sessionStorage.getItem(CSRF_KEY) ? { status: 'loading' } : { status: 'signed-out' };
let credentials: Credentials | undefined;
let renewing: Promise<Credentials> | undefined;
const listeners = new Set<() => void>();

function setState(next: AuthState) {
  state = next;
  for (const listener of listeners) listener();
}

export function useAuth(): AuthState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

export const authState = () => state;

async function call(method: 'GET' | 'POST', url: string, init: { json?: unknown; csrf?: string } = {}): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.csrf) headers['x-csrf-token'] = init.csrf;
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const response = await fetch(url, { method, headers, body, credentials: 'same-origin' });
  const parsed = await bodyOf(response);
  if (!response.ok) throw apiErrorOf(response, parsed);
  return parsed;
}

const post = (url: string, init: { json?: unknown; csrf?: string }) => call('POST', url, init);

interface SessionToken {
  access_token: string;
  expiration: number;
  session: { iam_id: string; account_id: string; expires_at: string; idle_expires_at: string };
}

async function sessionCredentials(csrf: string): Promise<Credentials> {
  const issued = (await post('/signin/session/token', { csrf })) as SessionToken;
  const claims = claimsOf(issued.access_token);
  signedIn({
    iamId: issued.session.iam_id,
    accountId: issued.session.account_id,
    name: claims.name ?? claims.sub,
    sessionEndsAt: Date.parse(issued.session.expires_at),
    sessionIdleEndsAt: Date.parse(issued.session.idle_expires_at),
  });
  return { accessToken: issued.access_token, expiration: issued.expiration, renew: () => sessionCredentials(csrf) };
}

function signedIn(identity: Identity) {
  const current = state.status === 'signed-in' ? state.identity : undefined;
  if (JSON.stringify(current) !== JSON.stringify(identity)) setState({ status: 'signed-in', identity });
}

/** Forgets everything of the sign-in, in this tab. */
function forget(reason?: string) {
  credentials = undefined;
  renewing = undefined;
  sessionStorage.removeItem(CSRF_KEY);
  setState(reason ? { status: 'signed-out', reason } : { status: 'signed-out' });
}

/** On start: resumes this tab's session, if it still lives. */
export async function restore(): Promise<void> {
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (!csrf) return forget();
  try {
    credentials = await sessionCredentials(csrf);
  } catch {
    forget();
  }
}

/** Keeps the CSRF token of a session just opened (this tab only) and gets its first access token. */
async function started(session: unknown): Promise<void> {
  const csrf = (session as { csrf_token: string }).csrf_token;
  sessionStorage.setItem(CSRF_KEY, csrf);
  credentials = await sessionCredentials(csrf);
}

export interface PasswordFields {
  username: string;
  password: string;
  account?: string;
  passcode?: string;
}

export async function signInWithPassword(fields: PasswordFields): Promise<void> {
  await started(await post('/signin/password', { json: fields }));
}

/**
 * Password and passkey: the server checks the password and returns a challenge for the user's
 * passkeys; the browser asks the authenticator (WebAuthn, through @simplewebauthn/browser, loaded
 * only now) and the answer goes with the password to `POST /signin/password`.
 */
export async function signInWithPasskey(fields: Omit<PasswordFields, 'passcode'>): Promise<void> {
  const options = await post('/signin/passkey/options', { json: fields });
  const { startAuthentication } = await import('@simplewebauthn/browser');
  const webauthn = await startAuthentication({ optionsJSON: options as Parameters<typeof startAuthentication>[0]['optionsJSON'] });
  await started(await post('/signin/password', { json: { ...fields, webauthn } }));
}

/**
 * Ends a federated sign-in: spends the ticket the identity provider's answer gave
 * (`/console/federation?ticket=`), as the account member (no profile) or as one of the trusted
 * profiles the choices offered.
 */
export async function signInWithFederation(ticket: string, profileId?: string): Promise<void> {
  await started(await post('/federation/choose', { json: { ticket, ...(profileId ? { profile_id: profileId } : {}) } }));
}

/** Exchanges an API key for a session (see above); the key is not kept. */
export async function signInWithApiKey(apikey: string): Promise<void> {
  await started(await post('/signin/apikey', { json: { apikey } }));
}

/** An account of the signed-in person (`GET /signin/accounts`). */
export interface MemberAccount {
  id: string;
  name: string;
  current: boolean;
}

/** The accounts the signed-in user is an active member of (none for a trusted profile). */
export async function memberAccounts(): Promise<MemberAccount[]> {
  return ((await call('GET', '/signin/accounts')) as { accounts: MemberAccount[] }).accounts;
}

/**
 * Moves the session to another of the person's accounts (the server applies that account's rules:
 * MFA level, allowed IPs); the old session ends. Throws the API's refusal (`step_up_required`,
 * `reauthentication_required`: sign in to that account instead).
 */
export async function switchAccount(accountId: string): Promise<void> {
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (!csrf) throw new Error('Not signed in.');
  await started(await post('/signin/session/switch', { json: { account: accountId }, csrf }));
}

/**
 * Signs out: this tab forgets the sign-in first, so a reload or a navigation while the server is
 * still ending the session finds nothing to resume; then the server ends the session (its refusal,
 * if any, is thrown to the caller as before).
 */
export async function signOut(): Promise<void> {
  const csrf = sessionStorage.getItem(CSRF_KEY);
  forget();
  if (csrf) await post('/signin/logout', { csrf });
}

/** Ends the console's sign-in after the server refused it (session ended, key revoked). */
export function signedOutBecause(reason: string) {
  forget(reason);
}

/**
 * A bearer token for the next API call, renewed first when it is about to end, or when the
 * session's inactivity deadline is near and a renewal moves it (not at the session's fixed end).
 */
export async function accessToken(): Promise<string> {
  const current = credentials;
  if (!current) throw new Error('Not signed in.');
  const leftMs = current.expiration * 1000 - Date.now();
  const idleEndNear = state.status === 'signed-in' && leftMs < SESSION_WARNING_MS && current.expiration * 1000 < state.identity.sessionEndsAt;
  if (leftMs > RENEW_BEFORE_SECONDS * 1000 && !idleEndNear) return current.accessToken;
  return renew(current);
}

/** Marks the session active now (a new token), so its inactivity deadline moves: "Stay signed in". */
export async function keepSession(): Promise<void> {
  if (credentials) await renew(credentials);
}

async function renew(current: Credentials): Promise<string> {
  renewing ??= current.renew().finally(() => {
    renewing = undefined;
  });
  try {
    credentials = await renewing;
    return credentials.accessToken;
  } catch (error) {
    forget('Your sign-in ended. Sign in again to continue.');
    throw error;
  }
}
