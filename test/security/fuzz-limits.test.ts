import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChangeFeed } from '../../src/store/changes.js';
import { testDialect } from '../helpers/database.js';
import { bearerOf, newAccount } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * The cases the fuzzer is built around, stated once by hand: enormous numbers, over-long and
 * invalid-UTF-8 text are refused with a 400 in the API's shape, and nothing is stored.
 */
describe(`bounded input (${testDialect()})`, () => {
  let server: TestServer;
  let bearer: string;

  beforeAll(async () => {
    server = await startTestServer();
    bearer = await bearerOf(server.url, server.owner.apikey);
  });
  afterAll(async () => {
    await server?.close();
  });

  const send = async (method: string, path: string, body?: Buffer | string, auth = bearer) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: auth, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const head = async () => createChangeFeed(server.server.registry.database.db).head();

  it('an offset beyond any page (99999999999999999999) is a 400 in the access-groups shape', async () => {
    const group = await send('POST', `/v2/groups?account_id=${server.owner.accountId}`, JSON.stringify({ name: 'limits' }));
    const res = await send('GET', `/v2/groups/${group.body.id}/members?offset=99999999999999999999`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status_code: 400, errors: [{ code: 'invalid_body' }] });
    expect((await send('GET', `/v2/groups/${group.body.id}/members?offset=2147483647`)).body.members).toEqual([]);
  });

  it('an enterprise name of 1 MB, or with invalid UTF-8, is a 400 and creates nothing', async () => {
    const source = await newAccount(server);
    const auth = await bearerOf(server.url, source.apikey);
    const before = await head();
    const body = (name: Buffer) =>
      Buffer.concat([Buffer.from(`{"source_account_id":"${source.accountId}","primary_contact_iam_id":"${source.iamId}","name":"`), name, Buffer.from('"}')]);
    const huge = await send('POST', '/v1/enterprises', body(Buffer.alloc(1_000_000, 'a')), auth);
    expect(huge.status).toBe(400);
    expect(huge.body.errors[0].message).toMatch(/name/);
    const badBytes = await send('POST', '/v1/enterprises', body(Buffer.from([0x41, 0xff, 0xfe, 0x42])), auth);
    expect(badBytes.status).toBe(400);
    expect(badBytes.body.errors[0].message).toMatch(/UTF-8/);
    expect(await head()).toBe(before);
    expect((await send('GET', `/v1/enterprises?account_id=${source.accountId}`, undefined, auth)).body.resources).toEqual([]);
  });

  it('invalid UTF-8 in a query string or a path is a 400 in the API\'s shape', async () => {
    const query = await send('GET', `/v1/serviceids?account_id=${server.owner.accountId}&name=%FF%FE`);
    expect(query).toMatchObject({ status: 400, body: { status_code: '400', errors: [{ code: 'invalid_request' }] } });
    const path = await send('GET', '/v1/serviceids/%C0%AF');
    expect(path).toMatchObject({ status: 400, body: { status_code: '400', errors: [{ code: 'invalid_url' }] } });
  });

  it('a NUL character in a path, a query or a JSON string is a 400 (PostgreSQL cannot hold one in text)', async () => {
    expect((await send('GET', '/v2/resource_groups/a%00b')).body).toMatchObject({ status_code: 400, error_code: 'invalid_request' });
    expect((await send('GET', `/v1/serviceids?account_id=${server.owner.accountId}&name=%00`)).status).toBe(400);
    const body = String.raw`{"account_id":"${server.owner.accountId}","name":"a\u0000b"}`;
    expect((await send('POST', '/v1/serviceids', body)).body).toMatchObject({ status_code: '400', errors: [{ code: 'invalid_body' }] });
    // An escaped backslash before "u0000" is ordinary text.
    const text = String.raw`{"account_id":"${server.owner.accountId}","name":"a\\u0000b"}`;
    const ok = await send("POST", "/v1/serviceids", text);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('an over-long service ID name is a 400 naming the field', async () => {
    const res = await send('POST', '/v1/serviceids', JSON.stringify({ account_id: server.owner.accountId, name: 'n'.repeat(1025) }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toMatch(/name/);
  });
});
