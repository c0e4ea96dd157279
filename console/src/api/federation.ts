import { apiErrorOf, bodyOf } from './errors.ts';

/**
 * The public federation endpoints the console calls before anyone is signed in (no bearer token):
 * an account's identity providers for the sign-in page, and the choices a federated sign-in's
 * ticket offers.
 */

export interface SignInProvider {
  id: string;
  name: string;
  protocol: string;
  /** Where the browser starts the sign-in through the provider (a server endpoint). */
  login_url: string;
}

export interface FederationChoices {
  account_id: string;
  idp_id: string;
  subject: string;
  name?: string;
  /** Whether the person may continue as the account's member. */
  member: boolean;
  profiles: { id: string; iam_id: string; name: string; description?: string; session_expiration_in_seconds: number }[];
  expires_at: string;
}

async function get<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const body = await bodyOf(response);
  if (!response.ok) throw apiErrorOf(response, body);
  return body as T;
}

export async function signInProviders(accountId: string): Promise<SignInProvider[]> {
  return (await get<{ providers: SignInProvider[] }>(`/federation/providers?account_id=${encodeURIComponent(accountId)}`)).providers;
}

export const federationChoices = (ticket: string) => get<FederationChoices>(`/federation/choices?ticket=${encodeURIComponent(ticket)}`);
