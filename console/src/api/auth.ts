import { useSyncExternalStore } from 'react';
import { apiErrorOf, bodyOf } from './errors.ts';
import { claimsOf } from './token.ts';

/**
 * Who is signed in, and the bearer token the console calls the APIs with.
 *
 * - Password and federated sign-in (an identity provider, then the choice of member or trusted
 *   profile) open a server session (HttpOnly cookie) and get its CSRF token; the console
 *   then asks `POST /signin/session/token` (cookie + X-CSRF-Token) for short-lived access tokens of
 *   the session's user (or trusted profile). Tokens live only in memory. The CSRF token is kept in sessionStorage (this
 *   tab only): it is useless without the cookie, and lets a page reload stay signed in.
 * - API-key sign-in exchanges the key at `/identity/token` (apikey grant) and renews with the
 *   refresh token; all of it only in memory, so a reload signs out.
 * Tokens are renewed when a call needs one and the current one ends within a minute, so an idle
 * console does not keep its session alive.
 */

export interface Identity {
  iamId: string;
  accountId: string;
  name: string;
  /** A browser session (password or federated sign-in), or an API key held in memory. */
  method: 'session' | 'apikey';
  /** When the session ends (ms since the epoch); sign-in sessions only. */
  sessionEndsAt?: number;
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

let state: AuthState = { status: 'loading' };
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

async function post(url: string, init: { json?: unknown; form?: Record<string, string>; csrf?: string }): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.csrf) headers['x-csrf-token'] = init.csrf;
  let body: string | undefined;
  if (init.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const response = await fetch(url, { method: 'POST', headers, body, credentials: 'same-origin' });
  const parsed = await bodyOf(response);
  if (!response.ok) throw apiErrorOf(response, parsed);
  return parsed;
}

interface SessionToken {
  access_token: string;
  expiration: number;
  session: { iam_id: string; account_id: string; expires_at: string };
}

async function sessionCredentials(csrf: string): Promise<Credentials> {
  const issued = (await post('/signin/session/token', { csrf })) as SessionToken;
  const claims = claimsOf(issued.access_token);
  signedIn({
    iamId: issued.session.iam_id,
    accountId: issued.session.account_id,
    name: claims.name ?? claims.sub,
    method: 'session',
    sessionEndsAt: Date.parse(issued.session.expires_at),
  });
  return { accessToken: issued.access_token, expiration: issued.expiration, renew: () => sessionCredentials(csrf) };
}

interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expiration: number;
}

function apikeyCredentials(issued: TokenResponse): Credentials {
  const claims = claimsOf(issued.access_token);
  signedIn({ iamId: claims.iam_id, accountId: claims.account?.bss ?? '', name: claims.name ?? claims.sub, method: 'apikey' });
  return {
    accessToken: issued.access_token,
    expiration: issued.expiration,
    renew: async () =>
      apikeyCredentials((await post('/identity/token', { form: { grant_type: 'refresh_token', refresh_token: issued.refresh_token } })) as TokenResponse),
  };
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

export async function signInWithPassword(fields: { username: string; password: string; passcode?: string; account?: string }): Promise<void> {
  const started = (await post('/signin/password', { json: fields })) as { csrf_token: string };
  sessionStorage.setItem(CSRF_KEY, started.csrf_token);
  credentials = await sessionCredentials(started.csrf_token);
}

/**
 * Ends a federated sign-in: spends the ticket the identity provider's answer gave
 * (`/console/federation?ticket=`), as the account member (no profile) or as one of the trusted
 * profiles the choices offered.
 */
export async function signInWithFederation(ticket: string, profileId?: string): Promise<void> {
  const started = (await post('/federation/choose', { json: { ticket, ...(profileId ? { profile_id: profileId } : {}) } })) as { csrf_token: string };
  sessionStorage.setItem(CSRF_KEY, started.csrf_token);
  credentials = await sessionCredentials(started.csrf_token);
}

export async function signInWithApiKey(apikey: string): Promise<void> {
  const issued = (await post('/identity/token', { form: { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey } })) as TokenResponse;
  credentials = apikeyCredentials(issued);
}

export async function signOut(): Promise<void> {
  const csrf = sessionStorage.getItem(CSRF_KEY);
  try {
    if (csrf) await post('/signin/logout', { csrf });
  } finally {
    forget();
  }
}

/** Ends the console's sign-in after the server refused it (session ended, key revoked). */
export function signedOutBecause(reason: string) {
  forget(reason);
}

/** A bearer token for the next API call, renewed first when it is about to end. */
export async function accessToken(): Promise<string> {
  const current = credentials;
  if (!current) throw new Error('Not signed in.');
  if (current.expiration - Date.now() / 1000 > RENEW_BEFORE_SECONDS) return current.accessToken;
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
