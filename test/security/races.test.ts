import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor } from '../enterprise/clients.js';
import { testDialect } from '../helpers/database.js';
import { callStatus, newAccount, newMember, type Identity } from '../helpers/identities.js';
import { groupsClient, identityClient, policyClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { role, v1Access, v2Access } from '../policies/helpers.js';

/**
 * Races are settled by the database: eight identical requests fired at once, for every entity
 * kind with a uniqueness rule (and every first write of a settings row), end with exactly one
 * winner, the others refused in the API's shape, no 5xx, and exactly one stored row.
 */

const PARALLEL = 8;

const tally = (statuses: number[]) =>
  statuses.reduce<Record<string, number>>((counts, s) => ({ ...counts, [s]: (counts[s] ?? 0) + 1 }), {});

describe(`parallel identical writes (${testDialect()})`, () => {
  let server: TestServer;
  let owner: Identity;
  const figures: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    owner = server.owner;
  });
  afterAll(async () => {
    console.log(`races on ${testDialect()}:\n${figures.join('\n')}`);
    await server?.close();
  });

  /** The number of stored rows `query` counts (raw SQL over the test's own database). */
  const count = async (query: ReturnType<typeof sql<{ n: number | string }>>) => {
    const { rows } = await query.execute(server.server.registry.database.db);
    return Number(rows[0]!.n);
  };

  /**
   * Fires `fire` PARALLEL times at once; expects one `won` status, the rest `lost`, and `stored()`
   * to count exactly one row afterwards.
   */
  async function race(kind: string, fire: () => Promise<unknown>, stored: () => Promise<number>, won: number[], lost: number) {
    const statuses = await Promise.all(Array.from({ length: PARALLEL }, () => callStatus(fire())));
    figures.push(`  ${kind.padEnd(44)} ${JSON.stringify(tally(statuses))} stored=${await stored()}`);
    expect(statuses.filter((s) => s >= 500), kind).toEqual([]);
    expect(statuses.filter((s) => won.includes(s)), kind).toHaveLength(1);
    expect(statuses.filter((s) => !won.includes(s)), kind).toEqual(Array(PARALLEL - 1).fill(lost));
    expect(await stored(), kind).toBe(1);
  }

  it('service ID groups with one name: one 201, seven 409', async () => {
    const identity = identityClient(server.url, owner.apikey);
    await race(
      'service ID group (name)',
      () => identity.createServiceIdGroup({ accountId: owner.accountId, name: 'race-group' }),
      () => count(sql`SELECT COUNT(*) AS n FROM service_id_groups WHERE account_id = ${owner.accountId} AND name = 'race-group'`),
      [201],
      409,
    );
  });

  it('resource groups with one name: one 201, seven 409', async () => {
    const { groups } = clientsFor(server.url, owner.apikey);
    await race(
      'resource group (name)',
      () => groups.createResourceGroup({ name: 'race-rg', accountId: owner.accountId }),
      () => count(sql`SELECT COUNT(*) AS n FROM resource_groups WHERE account_id = ${owner.accountId} AND name = 'race-rg' AND state <> 'DELETED'`),
      [201],
      409,
    );
  });

  it('access groups with one name (any letter case): one 201, seven 409', async () => {
    const groups = groupsClient(server.url, owner.apikey);
    let n = 0;
    await race(
      'access group (name, case-insensitive)',
      () => groups.createAccessGroup({ accountId: owner.accountId, name: n++ % 2 ? 'Race Team' : 'race team' }),
      () => count(sql`SELECT COUNT(*) AS n FROM access_groups WHERE account_id = ${owner.accountId} AND name_key = 'race team'`),
      [201],
      409,
    );
  });

  it('custom roles with one name: one 201, seven 409', async () => {
    const policies = policyClient(server.url, owner.apikey);
    await race(
      'custom role (name)',
      () =>
        policies.createRole({
          name: 'RaceReader',
          displayName: 'Race reader',
          accountId: owner.accountId,
          serviceName: 'iam-groups',
          actions: ['iam-groups.groups.read'],
        }),
      () => count(sql`SELECT COUNT(*) AS n FROM custom_roles WHERE account_id = ${owner.accountId} AND name = 'RaceReader'`),
      [201],
      409,
    );
  });

  it('identical v1 policies, and identical v2 policies: one 201, seven 409 each', async () => {
    const policies = policyClient(server.url, owner.apikey);
    const subject = (await newMember(server, owner.accountId)).iamId;
    const active = (service: string) => () =>
      count(sql`SELECT COUNT(*) AS n FROM policies WHERE account_id = ${owner.accountId} AND service_name = ${service} AND state = 'active'`);
    await race('policy v1 (identical)', () => policies.createPolicy(v1Access(owner.accountId, subject, { serviceName: 'kms' })), active('kms'), [201], 409);
    await race(
      'policy v2 (identical)',
      () => policies.createV2Policy(v2Access(owner.accountId, subject, { serviceName: 'cloud-object-storage' }, [role('Editor')])),
      active('cloud-object-storage'),
      [201],
      409,
    );
  });

  it('enterprises from one source account: one 202, seven 409', async () => {
    const source = await newAccount(server);
    const { enterprise } = clientsFor(server.url, source.apikey);
    await race(
      'enterprise (per source account)',
      () => enterprise.createEnterprise({ sourceAccountId: source.accountId, name: 'Race Corp', primaryContactIamId: source.iamId }),
      () => count(sql`SELECT COUNT(*) AS n FROM enterprises WHERE account_id = ${source.accountId}`),
      [202],
      409,
    );
  });

  it('API keys with one chosen value: one 201, the rest refused as a sequential duplicate is', async () => {
    const identity = identityClient(server.url, owner.apikey);
    const serviceId = (await identity.createServiceId({ accountId: owner.accountId, name: 'race-keys' })).result;
    const create = (apikey: string, name = 'race') => () => identity.createApiKey({ name, iamId: serviceId.iam_id, accountId: owner.accountId, apikey });
    // Whatever refusal a taken value earns one request at a time, racing requests earn the same.
    const taken = `taken-${'k'.repeat(40)}`;
    await create(taken, 'taken')();
    const refusal = await callStatus(create(taken, 'taken')());
    expect(refusal).toBeGreaterThanOrEqual(400);
    expect(refusal).toBeLessThan(500);
    const value = `race-${'v'.repeat(40)}`;
    await race(
      'API key (chosen value)',
      create(value),
      () => count(sql`SELECT COUNT(*) AS n FROM api_keys WHERE iam_id = ${serviceId.iam_id} AND name = 'race'`),
      [201],
      refusal,
    );
  });

  it('invitations of one new e-mail address: one 202, seven 409', async () => {
    const { users } = clientsFor(server.url, owner.apikey);
    const email = 'race-invitee@example.com';
    await race(
      'invitation (per account and e-mail)',
      () => users.inviteUsers({ accountId: owner.accountId, users: [{ email, account_role: 'Member' }] }),
      () => count(sql`SELECT COUNT(*) AS n FROM account_users au JOIN users u ON u.iam_id = au.iam_id WHERE au.account_id = ${owner.accountId} AND u.user_id = ${email}`),
      [202],
      409,
    );
  });

  it('first identity-settings writes with the initial ETag: one 200, seven 412; with If-Match *: all 200', async () => {
    const other = await newAccount(server);
    const identity = identityClient(server.url, other.apikey);
    const initial = (await identity.getAccountSettings({ accountId: other.accountId })).headers.etag as string;
    const rows = () => count(sql`SELECT COUNT(*) AS n FROM account_settings WHERE account_id = ${other.accountId}`);
    await race('identity settings (first write, initial tag)', () => identity.updateAccountSettings({ accountId: other.accountId, ifMatch: initial, mfa: 'TOTP' }), rows, [200], 412);

    const third = await newAccount(server);
    const any = identityClient(server.url, third.apikey);
    const statuses = await Promise.all(
      Array.from({ length: PARALLEL }, () => callStatus(any.updateAccountSettings({ accountId: third.accountId, ifMatch: '*', mfa: 'TOTP' }))),
    );
    const stored = await count(sql`SELECT COUNT(*) AS n FROM account_settings WHERE account_id = ${third.accountId}`);
    figures.push(`  ${'identity settings (first write, If-Match *)'.padEnd(44)} ${JSON.stringify(tally(statuses))} stored=${stored}`);
    expect(statuses).toEqual(Array(PARALLEL).fill(200));
    expect(stored).toBe(1);
  });

  it('first access-management settings writes with the initial ETag: one 200, seven 412', async () => {
    const other = await newAccount(server);
    const policies = policyClient(server.url, other.apikey);
    const initial = (await policies.getSettings({ accountId: other.accountId })).headers.etag as string;
    await race(
      'access-management settings (first write)',
      () =>
        policies.updateSettings({
          accountId: other.accountId,
          ifMatch: initial,
          externalAccountIdentityInteraction: { identity_types: { user: { state: 'monitor', external_allowed_accounts: [] } } },
        }),
      () => count(sql`SELECT COUNT(*) AS n FROM access_management_settings WHERE account_id = ${other.accountId}`),
      [200],
      412,
    );
  });

  it('first access-groups settings writes (no If-Match): all 200, one row', async () => {
    const other = await newAccount(server);
    const groups = groupsClient(server.url, other.apikey);
    const statuses = await Promise.all(
      Array.from({ length: PARALLEL }, () => callStatus(groups.updateAccountSettings({ accountId: other.accountId, publicAccessEnabled: false }))),
    );
    const stored = await count(sql`SELECT COUNT(*) AS n FROM access_group_settings WHERE account_id = ${other.accountId}`);
    figures.push(`  ${'access-groups settings (first write)'.padEnd(44)} ${JSON.stringify(tally(statuses))} stored=${stored}`);
    expect(statuses).toEqual(Array(PARALLEL).fill(200));
    expect(stored).toBe(1);
  });
});
