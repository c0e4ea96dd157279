import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerOf, newAccount, newMember } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, platformRole, v2Body } from '../security/escalation-fixture.js';

/**
 * `POST /v2/policies/grantable` (a Portcullis extension): the granting rule asked ahead of a grant,
 * scope by scope. The escalation matrix checks it against the rule for every access; this file
 * checks its edges: it agrees with a real create, reveals nothing of another account, refuses
 * malformed bodies.
 */

describe('grantable scopes', () => {
  let server: TestServer;
  let owner: string;
  let accountId: string;
  const kms = [{ key: 'serviceName', operator: 'stringEquals' as const, value: 'kms' }];
  const cos = [{ key: 'serviceName', operator: 'stringEquals' as const, value: 'cloud-object-storage' }];

  beforeAll(async () => {
    server = await startTestServer();
    accountId = server.owner.accountId;
    owner = await bearerOf(server.url, server.owner.apikey);
  });
  afterAll(async () => server?.close());

  it('answers, per scope, what creating a policy there would meet: Administrator on kms grants on kms only', async () => {
    const admin = await newMember(server, accountId);
    const scope = { name: 'kms', attributes: kms, matches: () => true };
    expect((await api(server.url, owner, 'POST', '/v2/policies', v2Body(accountId, { iam_id: admin.iamId }, scope, platformRole('Administrator')))).status).toBe(201);
    const bearer = await bearerOf(server.url, admin.apikey);
    const asked = await api(server.url, bearer, 'POST', '/v2/policies/grantable', {
      account_id: accountId,
      resources: [{ attributes: kms }, { attributes: cos }, { attributes: [{ key: 'serviceType', operator: 'stringEquals', value: 'service' }] }, { attributes: [...kms, { key: 'serviceInstance', operator: 'stringEquals', value: 'some-instance' }] }],
    });
    expect(asked.status).toBe(200);
    expect(asked.body.resources.map((r: { grantable: boolean }) => r.grantable)).toEqual([true, false, false, true]);
    // The same answers from the policy API itself.
    const target = await newMember(server, accountId);
    const onKms = await api(server.url, bearer, 'POST', '/v2/policies', v2Body(accountId, { iam_id: target.iamId }, scope, platformRole('Viewer')));
    const onCos = await api(server.url, bearer, 'POST', '/v2/policies', v2Body(accountId, { iam_id: target.iamId }, { ...scope, attributes: cos }, platformRole('Viewer')));
    expect([onKms.status, onCos.status]).toEqual([201, 403]);
  });

  it('says the owner may grant anywhere in the account and nowhere in another, whether that account exists or not', async () => {
    const everywhere = await api(server.url, owner, 'POST', '/v2/policies/grantable', { account_id: accountId, resources: [{ attributes: [] }, { attributes: cos }] });
    expect(everywhere.body.resources).toEqual([{ grantable: true }, { grantable: true }]);
    const other = await newAccount(server);
    const elsewhere = await api(server.url, owner, 'POST', '/v2/policies/grantable', { account_id: other.accountId, resources: [{ attributes: cos }] });
    const nowhere = await api(server.url, owner, 'POST', '/v2/policies/grantable', { account_id: '0'.repeat(32), resources: [{ attributes: cos }] });
    expect([elsewhere.status, elsewhere.body]).toEqual([200, { resources: [{ grantable: false }] }]);
    expect([nowhere.status, nowhere.body]).toEqual([200, { resources: [{ grantable: false }] }]);
  });

  it('refuses a malformed body with a 400 in the policy API shape', async () => {
    for (const body of [{}, { account_id: accountId, resources: [] }, { account_id: accountId, resources: [{ attributes: [{ key: 'serviceName', operator: 'like', value: 'x' }] }] }, { account_id: accountId, resources: Array.from({ length: 51 }, () => ({ attributes: [] })) }]) {
      const reply = await api(server.url, owner, 'POST', '/v2/policies/grantable', body);
      expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(reply.body).toMatchObject({ status_code: 400, errors: [{ code: expect.any(String) }] });
    }
    const valid = JSON.stringify({ account_id: accountId, resources: [{ attributes: cos }] });
    expect((await fetch(`${server.url}/v2/policies/grantable`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: valid })).status).toBe(401);
  });
});
