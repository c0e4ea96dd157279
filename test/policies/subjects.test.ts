import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ownerOf, type Caller } from '../helpers/callers.js';
import { failureOf, v1Access } from './helpers.js';

/** Who may be the subject of a policy: the identity directory's answer, as IBM gives it. */

let server: TestServer;
let owner: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
});
afterAll(() => server?.close());

describe('policy subjects', () => {
  it('accepts a user IAM id that is not (yet) a user of the account, as IBM does', async () => {
    const created = await owner.policies.createPolicy(v1Access(owner.accountId, 'IBMid-NOTYETMEMBER7', { serviceName: 'kms' }));
    expect(created.status).toBe(201);
    expect(created.result.subjects![0]!.attributes![0]).toMatchObject({ name: 'iam_id', value: 'IBMid-NOTYETMEMBER7' });
  });

  it('refuses a service ID or trusted profile that is not an identity of the account (400), writing nothing', async () => {
    for (const iamId of ['iam-ServiceId-00000000-0000-4000-8000-000000000000', 'iam-Profile-00000000-0000-4000-8000-000000000000']) {
      const failure = await failureOf(owner.policies.createPolicy(v1Access(owner.accountId, iamId, { serviceName: 'kms' })));
      expect(failure).toMatchObject({ status: 400, code: 'invalid_body' });
      const listed = await owner.policies.listPolicies({ accountId: owner.accountId, iamId });
      expect(listed.result.policies).toEqual([]);
    }
  });
});
