import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type IamIdentityV1 from '@ibm-cloud/platform-services/iam-identity/v1.js';
import { serviceRole, v1Access } from '../policies/helpers.js';
import { policyClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addMember, createOtherAccount, ownerOf, type Caller } from '../helpers/callers.js';
import { bearerOf, errorOf, rawCall, statusOf } from '../helpers/identities.js';

let server: TestServer;
let owner: Caller;
let member: Caller;
let reader: Caller;
let other: Caller;

const reportRows = () => server.server.registry.database.db.selectFrom('identity_reports').selectAll().execute();

/** Polls getReport until the report is ready (200). */
async function finished(client: IamIdentityV1, accountId: string, reference: string): Promise<IamIdentityV1.Report> {
  for (let i = 0; i < 100; i++) {
    const response = await client.getReport({ accountId, reference });
    if (response.status === 200) return response.result;
    expect(response.status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`report ${reference} did not finish`);
}

/** Waits until the API key's authentication is recorded (activity is written behind the grant). */
async function recorded(apikeyId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const activity = (await owner.identity.getApiKey({ id: apikeyId, includeActivity: true })).result.activity;
    if (activity?.last_authn) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('activity was not recorded');
}

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  member = await addMember(server, owner.accountId);
  reader = await addMember(server, owner.accountId);
  other = await createOtherAccount(server);
  await policyClient(server.url, owner.apikey).createPolicy(
    v1Access(owner.accountId, reader.iamId, { serviceName: 'iam-identity' }, [serviceRole('ConfigReader')]),
  );
});
afterAll(() => server?.close());

describe('inactive-identities activity report', () => {
  it('lists the users, API keys and service IDs that have not authenticated within the duration', async () => {
    const idle = (await owner.identity.createServiceId({ accountId: owner.accountId, name: 'idle', apikey: { name: 'idle key' } })).result;
    const ownerKey = (await owner.identity.getApiKeysDetails({ iamApiKey: owner.apikey })).result;
    await recorded(ownerKey.id!);

    const created = await owner.identity.createReport({ accountId: owner.accountId, type: 'inactive', duration: '720h' });
    expect(created.status).toBe(202);
    // Computed once the authentications up to its creation are recorded: not ready at once.
    expect((await owner.identity.getReport({ accountId: owner.accountId, reference: created.result.reference })).status).toBe(204);
    const report = await finished(owner.identity, owner.accountId, created.result.reference);

    expect(report).toMatchObject({ created_by: owner.iamId, reference: created.result.reference, report_duration: '720' });
    const hours = (Date.parse(report.report_end_time.replace('+0000', 'Z')) - Date.parse(report.report_start_time.replace('+0000', 'Z'))) / 3_600_000;
    expect(hours).toBe(720);
    // The owner authenticated just now; the others never did.
    const users = report.users!.map((u) => u.iam_id);
    expect(users).not.toContain(owner.iamId);
    expect(users).toEqual(expect.arrayContaining([member.iamId, reader.iamId]));
    expect(report.users!.find((u) => u.iam_id === member.iamId)).toMatchObject({ name: 'Mem Ber', username: expect.stringContaining('@example.com') });
    expect(report.serviceids).toEqual([{ id: idle.id, name: 'idle' }]);
    const keys = report.apikeys!;
    expect(keys.map((k) => k.id)).not.toContain(ownerKey.id);
    expect(keys.find((k) => k.name === 'idle key')).toMatchObject({ type: 'serviceid', serviceid: { id: idle.id, name: 'idle' } });
    expect(keys.find((k) => k.type === 'user')).toMatchObject({ user: { iam_id: expect.stringMatching(/^IBMid-/) } });
    expect(report.profiles).toEqual([]);

    // `latest` answers the newest report of the account; the SDK's plain-hours duration works too.
    const second = (await owner.identity.createReport({ accountId: owner.accountId, duration: '1' })).result.reference;
    await finished(owner.identity, owner.accountId, second);
    expect((await finished(owner.identity, owner.accountId, 'latest')).reference).toBe(second);
  });

  it('answers 204 while the report is computed, from the stored job (any node can answer)', async () => {
    await server.server.registry.database.db
      .insertInto('identity_reports')
      .values({
        reference: 'job-in-progress',
        account_id: owner.accountId,
        type: 'inactive',
        duration_hours: 720,
        status: 'running',
        created_by: owner.iamId,
        created_at: new Date().toISOString(),
        completed_at: null,
        result: null,
      })
      .execute();
    const response = await owner.identity.getReport({ accountId: owner.accountId, reference: 'job-in-progress' });
    expect(response.status).toBe(204);
  });

  it('is read and started with the report role; others are refused', async () => {
    const reference = (await reader.identity.createReport({ accountId: owner.accountId })).result.reference;
    expect((await finished(reader.identity, owner.accountId, reference)).report_duration).toBe('720');
    expect(await statusOf(member.identity.createReport({ accountId: owner.accountId }))).toBe(403);
    expect(await statusOf(member.identity.getReport({ accountId: owner.accountId, reference }))).toBe(403);
    expect(await statusOf(other.identity.getReport({ accountId: owner.accountId, reference }))).toBe(403);
    // Another account's reference does not exist in one's own account.
    expect(await statusOf(other.identity.getReport({ accountId: other.accountId, reference }))).toBe(404);
  });

  it('answers 404 for unknown references and 400 for bad type or duration, storing no job', async () => {
    const before = (await reportRows()).length;
    const unknown = await errorOf(owner.identity.getReport({ accountId: owner.accountId, reference: 'no-such-report' }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].message).toContain('no-such-report');
    for (const params of [{ duration: 'abc' }, { duration: '0' }, { duration: '99999999' }, { duration: '-5' }, { duration: '12d' }, { type: 'mfa_status' }]) {
      const error = await errorOf(owner.identity.createReport({ accountId: owner.accountId, ...params }));
      expect(error.status).toBe(400);
    }
    const bearer = await bearerOf(server.url, owner.apikey);
    expect((await rawCall(server.url, bearer, 'POST', `/v1/activity/accounts/${owner.accountId}/report?duration=${'1'.repeat(40)}`)).status).toBe(400);
    expect((await reportRows()).length).toBe(before);
  });
});
