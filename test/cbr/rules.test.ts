import IamAccessGroupsV2 from '@ibm-cloud/platform-services/iam-access-groups/v2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatorFor } from '../helpers/sdk.js';
import { addMember, createOtherAccount, ownerOf } from '../helpers/callers.js';
import { bearerOf, errorOf, rawCall } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { address, cbrClient, ruleOn } from './helpers.js';

let server: TestServer;
let accountId: string;
let cbr: ReturnType<typeof cbrClient>;
let zoneId: string;

/** The test server trusts 127.0.0.1 as a proxy, so a call's X-Forwarded-For is its client address. */
beforeAll(async () => {
  server = await startTestServer({ config: { trustedProxies: ['127.0.0.1'] } });
  accountId = server.owner.accountId;
  cbr = cbrClient(server.url, server.owner.apikey);
  zoneId = (await cbr.createZone({ name: 'branch', accountId, addresses: [address('subnet', '192.0.2.0/24'), address('ipAddress', '127.0.0.1')] })).result.id;
});
afterAll(() => server.close());

const groupsFrom = (apikey: string, address: string) =>
  new IamAccessGroupsV2({ authenticator: authenticatorFor(server.url, apikey), serviceUrl: server.url, headers: { 'X-Forwarded-For': address } });

describe('rules through the SDK', () => {
  it('creates, reads, lists, replaces and deletes a rule; a stale tag is 412', async () => {
    const created = await cbr.createRule({ ...ruleOn(accountId, 'cloud-object-storage', [zoneId]), description: 'cos from the branch' });
    expect(created.status).toBe(201);
    const rule = created.result;
    expect(rule).toMatchObject({ description: 'cos from the branch', enforcement_mode: 'enabled' });
    expect(rule.crn).toBe(`crn:v1:bluemix:public:context-based-restrictions:global:a/${accountId}::rule:${rule.id}`);
    const tag = created.headers.etag as string;

    expect((await cbr.getRule({ ruleId: rule.id })).result.resources).toEqual(rule.resources);
    const listed = await cbr.listRules({ accountId, serviceName: 'cloud-object-storage' });
    expect(listed.result.rules.map((r) => r.id)).toEqual([rule.id]);
    expect((await cbr.listRules({ accountId, serviceName: 'kms' })).result.count).toBe(0);
    expect((await cbr.listRules({ accountId, zoneId })).result.count).toBe(1);

    const replaced = await cbr.replaceRule({ ruleId: rule.id, ifMatch: tag, ...ruleOn(accountId, 'cloud-object-storage', [zoneId], 'report') });
    expect(replaced.result.enforcement_mode).toBe('report');
    expect((await errorOf(cbr.replaceRule({ ruleId: rule.id, ifMatch: tag, ...ruleOn(accountId, 'cloud-object-storage', [zoneId]) }))).status).toBe(412);
    expect((await cbr.listRules({ accountId, enforcementMode: 'report' })).result.count).toBe(1);

    // A zone a rule names cannot be deleted from under it.
    expect((await errorOf(cbr.deleteZone({ zoneId }))).status).toBe(409);
    expect((await cbr.deleteRule({ ruleId: rule.id })).status).toBe(204);
    expect((await errorOf(cbr.getRule({ ruleId: rule.id }))).status).toBe(404);
  });

  it('refuses a service the catalog does not know, an unknown zone, attribute or API type (400), and writes nothing', async () => {
    const before = (await cbr.listRules({ accountId })).result.count;
    const cases = [
      ruleOn(accountId, 'cbr-not-enabled', [zoneId]),
      ruleOn(accountId, 'cloud-object-storage', ['648961210dab8fdffac52cc2f28e200f']),
      { ...ruleOn(accountId, 'cloud-object-storage', [zoneId]), contexts: [{ attributes: [{ name: 'networkZoneID', value: zoneId }] }] },
      { ...ruleOn(accountId, 'cloud-object-storage', [zoneId]), operations: { api_types: [{ api_type_id: 'crn:v1:bluemix:public:kms::::api-type:management' }] } },
      { ...ruleOn(accountId, 'cloud-object-storage', [zoneId]), contexts: [{ attributes: [{ name: 'endpointType', value: 'satellite' }] }] },
    ];
    for (const body of cases) expect((await errorOf(cbr.createRule(body))).status, JSON.stringify(body)).toBe(400);
    expect((await cbr.listRules({ accountId })).result.count).toBe(before);
  });

  it('takes a service group and an API type from the catalog', async () => {
    const rule = (
      await cbr.createRule({
        contexts: [{ attributes: [{ name: 'networkZoneId', value: zoneId }] }],
        resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'service_group_id', value: 'IAM' }] }],
        enforcementMode: 'disabled',
      })
    ).result;
    expect((await cbr.listRules({ accountId, serviceGroupId: 'IAM' })).result.rules.map((r) => r.id)).toEqual([rule.id]);
    await cbr.deleteRule({ ruleId: rule.id });
    const withType = await cbr.createRule({
      ...ruleOn(accountId, 'containers-kubernetes', [zoneId]),
      operations: { api_types: [{ api_type_id: 'crn:v1:bluemix:public:containers-kubernetes::::api-type:management' }] },
    });
    expect(withType.result.operations).toEqual({ api_types: [{ api_type_id: 'crn:v1:bluemix:public:containers-kubernetes::::api-type:management' }] });
    await cbr.deleteRule({ ruleId: withType.result.id });
  });

  it('counts rules and zones in the account settings; a malformed account id is named', async () => {
    const settings = await cbr.getAccountSettings({ accountId });
    expect(settings.result).toMatchObject({ id: accountId, current_zone_count: 1, zone_count_limit: 500, rule_count_limit: 4000 });
    const error = await errorOf(cbr.getAccountSettings({ accountId: 'this_is_an_invalid_id' }));
    expect(error.status).toBe(400);
    expect(error.message).toBe('The parameter "account_id" in path has an error.');
  });

  it('lists the API types of a service, a service group and a resource type; the filters are mutually exclusive', async () => {
    const kube = await cbr.listAvailableServiceOperations({ serviceName: 'containers-kubernetes' });
    expect(kube.result.api_types[0]!.api_type_id).toBe('crn:v1:bluemix:public:containers-kubernetes::::api-type:management');
    expect(kube.result.api_types[0]!.actions.length).toBeGreaterThan(0);
    const iam = await cbr.listAvailableServiceOperations({ serviceGroupId: 'IAM' });
    expect(iam.result.api_types.map((t) => t.api_type_id)).toContain('crn:v1:bluemix:public:iam-groups::::api-type:management');
    const roles = await cbr.listAvailableServiceOperations({ serviceName: 'iam-access-management', resourceType: 'customRole' });
    expect(roles.result.api_types[0]!.actions.every((a) => a.action_id.includes('customRole'))).toBe(true);
    const error = await errorOf(cbr.listAvailableServiceOperations({ serviceName: 'iam-access-management', serviceGroupId: 'IAM' }));
    expect(error.message).toBe(
      "The following query parameters are mutually exclusive: 'service_group_id, service_name'. Specify exactly one of the mutually exclusive parameters and try your request again.",
    );
  });

  it('makes a service registered at run time protectable', async () => {
    const bearer = await bearerOf(server.url, server.owner.apikey);
    const registered = await rawCall(
      server.url,
      bearer,
      'PUT',
      '/v1/catalog/services/widgets',
      JSON.stringify({ name: 'widgets', displayName: 'Widgets', type: 'service', roles: ['crn:v1:bluemix:public:iam::::role:Viewer'], actions: [{ id: 'widgets.widget.read', displayName: 'Read widgets', roles: ['crn:v1:bluemix:public:iam::::role:Viewer'] }] }),
    );
    expect(registered.status).toBe(200);
    const rule = await cbr.createRule(ruleOn(accountId, 'widgets', [zoneId]));
    expect(rule.status).toBe(201);
    expect((await cbr.listAvailableServiceOperations({ serviceName: 'widgets' })).result.api_types[0]!.actions.map((a) => a.action_id)).toEqual(['widgets.widget.read']);
    await cbr.deleteRule({ ruleId: rule.result.id });
  });
});

describe('enforcement on Portcullis\'s own APIs', () => {
  it('refuses an identity API call from outside the zones with IBM\'s error, serves it from inside, and stops when the rule goes', async () => {
    const rule = (await cbr.createRule(ruleOn(accountId, 'iam-groups', [zoneId]))).result;
    const outside = await errorOf(groupsFrom(server.owner.apikey, '198.51.100.7').listAccessGroups({ accountId }));
    expect(outside.status).toBe(403);
    expect(outside.body.errors[0].code).toBe('context_restricted');
    expect(outside.body.errors[0].message).toContain(rule.id);
    expect((await groupsFrom(server.owner.apikey, '192.0.2.44').listAccessGroups({ accountId })).status).toBe(200);
    // Another service of the account is not restricted by it.
    expect((await cbr.listZones({ accountId })).status).toBe(200);
    await cbr.deleteRule({ ruleId: rule.id });
    expect((await groupsFrom(server.owner.apikey, '198.51.100.7').listAccessGroups({ accountId })).status).toBe(200);
  });

  it('lets a report-only rule through and records it (audit event and metric); a disabled rule does nothing', async () => {
    const rule = (await cbr.createRule(ruleOn(accountId, 'iam-groups', [zoneId], 'report'))).result;
    expect((await groupsFrom(server.owner.apikey, '198.51.100.8').listAccessGroups({ accountId })).status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`portcullis_cbr_report_total\\{rule_id="${rule.id}"\\} 1`));
    const db = server.server.registry.database.db;
    await expect.poll(async () => (await db.selectFrom('audit_events').selectAll().where('action', '=', 'context-based-restrictions.rule.report').execute()).length).toBe(1);
    const tag = (await cbr.getRule({ ruleId: rule.id })).headers.etag as string;
    await cbr.replaceRule({ ruleId: rule.id, ifMatch: tag, ...ruleOn(accountId, 'iam-groups', [zoneId], 'disabled') });
    expect((await groupsFrom(server.owner.apikey, '198.51.100.8').listAccessGroups({ accountId })).status).toBe(200);
    await cbr.deleteRule({ ruleId: rule.id });
  });

  it('refuses a token grant of the account from outside an iam-identity rule\'s zones', async () => {
    const rule = (await cbr.createRule(ruleOn(accountId, 'iam-identity', [zoneId]))).result;
    const grant = (address: string) =>
      fetch(`${server.url}/identity/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': address },
        body: new URLSearchParams({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: server.owner.apikey }),
      });
    const refused = await grant('203.0.113.9');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ errorCode: 'BXNIM0514E' });
    expect((await grant('192.0.2.9')).status).toBe(200);
    await cbr.deleteRule({ ruleId: rule.id });
  });

  it('refuses a rule that would lock the account out of context-based restrictions, unless the caller is inside its zones', async () => {
    const far = (await cbr.createZone({ name: 'far', accountId, addresses: [address('ipAddress', '203.0.113.50')] })).result;
    const from = (address: string) => cbrClient(server.url, server.owner.apikey, address);
    const error = await errorOf(from('198.51.100.9').createRule(ruleOn(accountId, 'context-based-restrictions', [far.id])));
    expect(error.status).toBe(400);
    expect(error.message).toContain('lock');
    expect((await cbr.listRules({ accountId, serviceName: 'context-based-restrictions' })).result.count).toBe(0);
    // From inside the zone it is the caller's own choice.
    const allowed = await from('203.0.113.50').createRule(ruleOn(accountId, 'context-based-restrictions', [far.id]));
    expect(allowed.status).toBe(201);
    expect((await errorOf(from('198.51.100.9').listZones({ accountId }))).status).toBe(403);
    await from('203.0.113.50').deleteRule({ ruleId: allowed.result.id });
    await from('198.51.100.9').deleteZone({ zoneId: far.id });
  });
});

describe('rules and who may write them', () => {
  it('needs cbr.rule.create on the restricted service: a member without it is refused, an Administrator of the service is not', async () => {
    const member = await addMember(server, accountId);
    const memberCbr = cbrClient(server.url, member.apikey);
    expect((await errorOf(memberCbr.createRule(ruleOn(accountId, 'kms', [zoneId])))).status).toBe(403);
    const owner = ownerOf(server);
    await owner.policies.createPolicy({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: member.iamId }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Administrator' }],
      resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'kms' }] }],
    });
    const rule = await memberCbr.createRule(ruleOn(accountId, 'kms', [zoneId]));
    expect(rule.status).toBe(201);
    // Administering kms is no right over another service's rules.
    expect((await errorOf(memberCbr.createRule(ruleOn(accountId, 'cloud-object-storage', [zoneId])))).status).toBe(403);
    await cbr.deleteRule({ ruleId: rule.result.id });
  });

  it('answers another account\'s rule like a missing one', async () => {
    const other = await createOtherAccount(server);
    const theirs = cbrClient(server.url, other.apikey);
    const zone = (await theirs.createZone({ name: 'z', accountId: other.accountId, addresses: [address('ipAddress', '192.0.2.1')] })).result;
    const rule = (await theirs.createRule(ruleOn(other.accountId, 'kms', [zone.id]))).result;
    expect((await errorOf(cbr.getRule({ ruleId: rule.id }))).status).toBe(404);
    expect((await errorOf(cbr.deleteRule({ ruleId: rule.id }))).status).toBe(404);
    expect((await errorOf(cbr.createRule(ruleOn(other.accountId, 'kms', [zone.id])))).status).toBe(403);
    // A rule of one account cannot name another account's zone.
    expect((await errorOf(cbr.createRule(ruleOn(accountId, 'kms', [zone.id])))).status).toBe(400);
  });
});
