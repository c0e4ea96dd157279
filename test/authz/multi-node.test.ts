import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { keyEncryptionKeyFor } from '../helpers/database.js';
import { groupsClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Caller, addMember, ownerOf } from '../helpers/callers.js';
import { bearerOf } from '../helpers/identities.js';

/**
 * Two nodes on one database: a write on one is in the next decision on the other (the change
 * feed, woken by PostgreSQL notifications or found by polling), and a revision from one node's
 * write, passed to the other, is never answered from an older snapshot.
 */
let nodeA: TestServer;
let nodeB: RunningServer;
let owner: Caller;

beforeAll(async () => {
  nodeA = await startTestServer();
  owner = ownerOf(nodeA);
  // Behind a load balancer every node has the same public URL, so tokens carry one issuer.
  const config = loadConfig(
    {
      host: '127.0.0.1',
      port: 0,
      publicUrl: nodeA.url,
      dataDir: nodeA.database.dataDir,
      databaseUrl: nodeA.database.databaseUrl,
      keyEncryptionKey: keyEncryptionKeyFor(nodeA.database),
      logLevel: 'silent',
    },
    {},
  );
  nodeB = await startServer(config);
  expect(nodeB.listenUrl).not.toBe(nodeA.url);
});
afterAll(async () => {
  await nodeB?.close();
  await nodeA?.close();
});

const READER = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';

async function decideOnB(bearer: string, subject: string, revision?: string | string[]) {
  const response = await fetch(`${nodeB.listenUrl}/v2/authz${revision ? `?min_revision=${revision}` : ''}`, {
    method: 'POST',
    headers: { authorization: bearer, 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        subject: { attributes: { id: subject } },
        action: 'kms.secrets.list',
        resource: { attributes: { accountId: owner.accountId, serviceName: 'kms' } },
      },
    ]),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { responses: Array<{ authorizationDecision: { permitted: boolean } }> };
  return body.responses[0]!.authorizationDecision.permitted;
}

describe('two nodes on one database', () => {
  it('share signing keys: a token from one node is accepted by the other', async () => {
    const bearer = await bearerOf(nodeA.url, owner.apikey);
    expect(await decideOnB(bearer, owner.iamId)).toBe(false);
  });

  it('a policy created and deleted on node A is in the next decision on node B', async () => {
    const bearer = await bearerOf(nodeA.url, owner.apikey);
    const member = await addMember(nodeA, owner.accountId);
    const created = await owner.policies.createPolicy({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: member.iamId }] }],
      roles: [{ role_id: READER }],
      resources: [{ attributes: [{ name: 'accountId', value: owner.accountId }, { name: 'serviceName', value: 'kms' }] }],
    });
    expect(await decideOnB(bearer, member.iamId, created.headers['portcullis-revision'])).toBe(true);

    const deleted = await owner.policies.deletePolicy({ policyId: created.result.id! });
    expect(await decideOnB(bearer, member.iamId, deleted.headers['portcullis-revision'])).toBe(false);
  });

  it('without a revision, node B catches up by itself within moments', async () => {
    const bearer = await bearerOf(nodeA.url, owner.apikey);
    const member = await addMember(nodeA, owner.accountId);
    await owner.policies.createPolicy({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: member.iamId }] }],
      roles: [{ role_id: READER }],
      resources: [{ attributes: [{ name: 'accountId', value: owner.accountId }, { name: 'serviceName', value: 'kms' }] }],
    });
    const started = Date.now();
    while (!(await decideOnB(bearer, member.iamId))) {
      expect(Date.now() - started).toBeLessThan(3000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it('the Public Access group applies to everyone on node B until node A turns public access off', async () => {
    const bearer = await bearerOf(nodeA.url, owner.apikey);
    const created = await owner.policies.createPolicy({
      type: 'access',
      subjects: [{ attributes: [{ name: 'access_group_id', value: 'AccessGroupId-PublicAccess' }] }],
      roles: [{ role_id: READER }],
      resources: [{ attributes: [{ name: 'accountId', value: owner.accountId }, { name: 'serviceName', value: 'kms' }] }],
    });
    expect(await decideOnB(bearer, 'IBMid-ANYONE0001', created.headers['portcullis-revision'])).toBe(true);

    const groups = groupsClient(nodeA.url, owner.apikey);
    const off = await groups.updateAccountSettings({ accountId: owner.accountId, publicAccessEnabled: false });
    expect(await decideOnB(bearer, 'IBMid-ANYONE0001', off.headers['portcullis-revision'])).toBe(false);
  });
});
