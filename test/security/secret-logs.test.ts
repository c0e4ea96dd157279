import { afterAll, describe, expect, it } from 'vitest';
import { databaseFlags, startServe, until, type ServeProcess } from '../cli/portcullis-process.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { usersClient } from '../helpers/sdk.js';
import { postJson, resetSecretsFor, tokenCall } from '../signin/helpers.js';
import { decodeJwt } from '../token/fixtures.js';
import { secretFor } from '../users/outbox.js';

/**
 * Every route that carries a secret (in a header, a body or a response: API key values, access,
 * refresh and compute-resource tokens, passwords, invitation and reset secrets, session cookies
 * and CSRF tokens) is called on a server that logs at debug level; none of those values may
 * appear in what it prints.
 */
describe('secrets and the debug log', () => {
  let db: TestDatabase | undefined;
  let server: ServeProcess | undefined;
  afterAll(async () => {
    await server?.kill();
    await db?.drop();
  });

  it('no secret that a request carries or a response shows reaches the log', async () => {
    db = await createTestDatabase();
    server = await startServe([...databaseFlags(db), '--log-level', 'debug']);
    const url = server.url;
    // The first-start banner shows the owner's API key once, on purpose: only what follows counts.
    const from = server.stdout().length;
    const { accountId, apikey } = server.bootstrap!;
    const secrets: string[] = [];
    const keep = (value: unknown) => {
      expect(typeof value === 'string' && value.length >= 8, `a secret: ${String(value)}`).toBe(true);
      secrets.push(value as string);
      return value as string;
    };
    const json = async (method: string, path: string, bearer: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, any> };
    };

    // Token grants: an API key in, access and refresh tokens out; a refresh token in.
    const granted = await tokenCall(url, { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey }, null);
    expect(granted.status).toBe(200);
    const owner = keep(granted.body.access_token);
    keep(granted.body.refresh_token);
    const refreshed = await tokenCall(url, { grant_type: 'refresh_token', refresh_token: granted.body.refresh_token as string }, null);
    expect(refreshed.status).toBe(200);
    keep(refreshed.body.access_token);
    keep(refreshed.body.refresh_token);
    const ownerIamId = decodeJwt(owner).payload.iam_id as string;

    // API key values: chosen by the caller, generated for a user, for a service ID at its creation.
    const chosen = keep(`chosen-${'k'.repeat(40)}`);
    const created = await json('POST', '/v1/apikeys', owner, { name: 'chosen', iam_id: ownerIamId, account_id: accountId, apikey: chosen });
    expect(created.status).toBe(201);
    const generated = await json('POST', '/v1/apikeys', owner, { name: 'generated', iam_id: ownerIamId, account_id: accountId });
    expect(generated.status).toBe(201);
    keep(generated.body.apikey);
    const sid = await json('POST', '/v1/serviceids', owner, { name: 'robot', account_id: accountId, apikey: { name: 'robot key' } });
    expect(sid.status).toBe(201);
    const robotKey = keep(sid.body.apikey.apikey);

    // A decision about the bearer of a token, the token in the body.
    const robot = await tokenCall(url, { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: robotKey }, null);
    const robotToken = keep(robot.body.access_token);
    const decided = await json('POST', '/v2/authz', owner, [
      { subject: { accessTokenBody: robotToken }, action: 'iam-identity.apikey.get', resource: { attributes: { accountId, serviceName: 'iam-identity' } } },
    ]);
    expect(decided.status).toBeLessThan(300);

    // An invitation secret (as a bearer) with a chosen password; the password grant and a sign-in session.
    await usersClient(url, apikey).inviteUsers({ accountId, users: [{ email: 'logs@example.com', account_role: 'Member' }] });
    const invitation = keep(secretFor(db.dataDir, 'logs@example.com'));
    const password = keep('a long and unguessable password 7');
    const accepted = await postJson(url, '/v2/users/accept', { account_id: accountId, password }, { authorization: `Bearer ${invitation}` });
    expect(accepted.status).toBe(202);
    keep(accepted.body.iam_apikey);
    const signedIn = await tokenCall(url, { grant_type: 'password', username: 'logs@example.com', password });
    expect(signedIn.status).toBe(200);
    keep(signedIn.body.access_token);
    const session = await postJson(url, '/signin/password', { username: 'logs@example.com', password });
    expect(session.status).toBe(201);
    keep(session.body.csrf_token);
    const cookie = session.headers.get('set-cookie')!;
    keep(/=([^;]+)/.exec(cookie)![1]);

    // A console session opened with an API key: the key in, the session's CSRF token and cookie out.
    const keySession = await postJson(url, '/signin/apikey', { apikey: robotKey });
    expect(keySession.status).toBe(201);
    keep(keySession.body.csrf_token);
    keep(/=([^;]+)/.exec(keySession.headers.get('set-cookie')!)![1]);

    // A password reset: the mailed secret and the new password.
    expect((await postJson(url, '/signin/password/reset', { username: 'logs@example.com' })).status).toBe(202);
    await until(() => resetSecretsFor(db!.dataDir, 'logs@example.com').join(), (text) => text !== '');
    const reset = keep(resetSecretsFor(db.dataDir, 'logs@example.com')[0]);
    const newPassword = keep('another long and unguessable password 8');
    expect((await postJson(url, '/signin/password/reset/confirm', { token: reset, password: newPassword })).status).toBe(204);

    // Every call above was logged (debug logs each request and its completion) ...
    const log = await until(server.stdout, (text) => text.includes('/signin/password/reset/confirm') && (text.match(/"statusCode":204/g) ?? []).length >= 1);
    const after = log.slice(from);
    for (const path of ['/identity/token', '/v1/apikeys', '/v1/serviceids', '/v2/authz', '/v2/users/accept', '/signin/password', '/signin/apikey']) expect(after).toContain(path);
    // ... and none of the secrets was.
    for (const secret of secrets) {
      expect(after, 'a secret in the log').not.toContain(secret);
      expect(server.stderr(), 'a secret on stderr').not.toContain(secret);
    }
  }, 120_000);
});
