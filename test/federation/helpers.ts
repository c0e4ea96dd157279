import type { Config } from '../../src/config.js';
import { api } from '../security/escalation-fixture.js';
import type { TestServer } from '../helpers/server.js';

/** The browser's steps of a federated sign-in, as raw HTTP (redirects not followed). */

/** Test servers' federation settings: the test IdPs listen on http://127.0.0.1. */
export const federationConfig = (): Pick<Config, 'federation'> => ({
  federation: { httpAllowed: true, clockSkewSeconds: 60, requestTtlSeconds: 600, ticketTtlSeconds: 300, landingUrl: '/console/federation' },
});

/** Our login redirect for an IdP: the Location the browser is sent to. */
export async function loginLocation(server: TestServer, idpId: string): Promise<string> {
  const reply = await fetch(`${server.url}/federation/${idpId}/login`, { redirect: 'manual' });
  const location = reply.headers.get('location');
  if (reply.status !== 302 || !location) throw new Error(`login answered ${reply.status}: ${await reply.text()}`);
  return location;
}

/** What the ACS or callback answered: a redirect with a ticket, or an error body. */
export interface Landing {
  status: number;
  ticket: string | undefined;
  body: any;
}

async function landingOf(reply: Response): Promise<Landing> {
  const location = reply.headers.get('location');
  const text = await reply.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: reply.status, ticket: location ? (new URL(location).searchParams.get('ticket') ?? undefined) : undefined, body };
}

export async function postAcs(server: TestServer, idpId: string, samlResponse: string): Promise<Landing> {
  return landingOf(
    await fetch(`${server.url}/federation/${idpId}/acs`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: samlResponse }).toString(),
    }),
  );
}

export async function getCallback(callbackUrl: string): Promise<Landing> {
  return landingOf(await fetch(callbackUrl, { redirect: 'manual' }));
}

export const choices = (server: TestServer, ticket: string) => api(server.url, '', 'GET', `/federation/choices?ticket=${encodeURIComponent(ticket)}`);

/** Spends the ticket; the reply and the session cookie it set. */
export async function choose(server: TestServer, ticket: string, profileId?: string) {
  const reply = await fetch(`${server.url}/federation/choose`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ticket, ...(profileId ? { profile_id: profileId } : {}) }),
  });
  const cookie = /portcullis_session=([^;]*)/.exec(reply.headers.get('set-cookie') ?? '')?.[1];
  return { status: reply.status, body: (await reply.json()) as any, cookie };
}

/** The sessions the cookie's owner sees (GET /signin/sessions). */
export async function sessionsOf(server: TestServer, cookie: string) {
  return api(server.url, '', 'GET', '/signin/sessions', undefined, { cookie: `portcullis_session=${cookie}` });
}

/** The audit events of federated sign-ins to an IdP, oldest first. */
export async function federationEvents(server: TestServer, idpId: string) {
  return server.server.registry.database.db
    .selectFrom('audit_events')
    .selectAll()
    .where('target_id', '=', idpId)
    .where('action', '=', 'iam-identity.federation.login')
    .orderBy('id')
    .execute();
}
