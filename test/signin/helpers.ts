import { decodeJwt } from 'jose';
import { createAccountsStore } from '../../src/accounts/store.js';
import { usersClient } from '../helpers/sdk.js';
import type { TestServer } from '../helpers/server.js';
import { messagesTo, secretFor } from '../users/outbox.js';

/** A password that meets the rules (long enough, not common, not the login). */
export const GOOD_PASSWORD = 'correct horse battery staple';

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

async function replyOf(response: Response): Promise<Reply> {
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** A JSON call with optional extra headers (cookies, bearer). */
export async function postJson(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return replyOf(await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }));
}

/** `POST /identity/token` with a form and, unless `client` is null, Basic client credentials (the CLI's bx:bx by default). */
export async function tokenCall(url: string, form: Record<string, string>, client: string | null = 'bx:bx'): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client !== null) headers.authorization = `Basic ${Buffer.from(client).toString('base64')}`;
  return replyOf(await fetch(`${url}/identity/token`, { method: 'POST', headers, body: new URLSearchParams(form).toString() }));
}

/** The password grant's form. */
export const passwordForm = (username: string, password: string, more: Record<string, string> = {}) => ({
  grant_type: 'password',
  username,
  password,
  ...more,
});

/** The claims of an access token (not verified: the tests read what the server put in). */
export const claimsOf = (token: string) => decodeJwt(token) as Record<string, any>;

/** Invites a new person to the owner's account and returns the invitation secret mailed to them. */
export async function invite(server: TestServer, email: string): Promise<string> {
  await usersClient(server.url, server.owner.apikey).inviteUsers({ accountId: server.owner.accountId, users: [{ email, account_role: 'Member' }] });
  return secretFor(server.database.dataDir, email);
}

/** Redeems an invitation secret, setting `password` when given. */
export const accept = (server: TestServer, secret: string, password?: string) =>
  postJson(
    server.url,
    '/v2/users/accept',
    { account_id: server.owner.accountId, ...(password !== undefined ? { password } : {}) },
    { authorization: `Bearer ${secret}` },
  );

/** A new member of the owner's account who chose `password` when accepting; returns their IAM id. */
export async function memberWithPassword(server: TestServer, email: string, password = GOOD_PASSWORD): Promise<string> {
  const accepted = await accept(server, await invite(server, email), password);
  if (accepted.status !== 202) throw new Error(`accept answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  return accepted.body.iam_id as string;
}

const RESET = /reset-[A-Za-z0-9_-]{20,}/g;

/** Every password-reset secret mailed to `email`, oldest first. */
export const resetSecretsFor = (dataDir: string, email: string) => messagesTo(dataDir, email).flatMap((m) => [...m.text.matchAll(RESET)].map((x) => x[0]));

/** Waits until `check` holds (the reset e-mail is sent after the request is answered). */
export async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Makes the user a member of another account in `state` (ACTIVE: as an accepted invitation would). */
export async function addMembership(server: TestServer, accountId: string, iamId: string, state = 'ACTIVE'): Promise<void> {
  const { registry } = server.server;
  await registry.writer.write(async (w) => createAccountsStore(registry.database.db).addMember(w.trx, accountId, iamId, state, new Date().toISOString()));
}
