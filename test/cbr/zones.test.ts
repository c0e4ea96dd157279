import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerOf, errorOf, rawCall } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createOtherAccount } from '../helpers/callers.js';
import { address, cbrClient, serviceRef } from './helpers.js';

let server: TestServer;
let cbr: ReturnType<typeof cbrClient>;
let accountId: string;

beforeAll(async () => {
  server = await startTestServer();
  accountId = server.owner.accountId;
  cbr = cbrClient(server.url, server.owner.apikey);
});
afterAll(() => server.close());

describe('network zones through the SDK', () => {
  it('creates, reads, lists, replaces and deletes a zone with IPv4 and IPv6 entries, exclusions and a service reference', async () => {
    const created = await cbr.createZone({
      name: 'office',
      accountId,
      description: 'the office network',
      addresses: [
        address('ipAddress', '192.0.2.10'),
        address('ipRange', '198.51.100.1-198.51.100.20'),
        address('subnet', '2001:db8::/64'),
        serviceRef({ account_id: accountId, service_name: 'containers-kubernetes', location: 'dal' }),
      ],
      excluded: [address('ipAddress', '198.51.100.5')],
    });
    expect(created.status).toBe(201);
    const zone = created.result;
    expect(zone.id).toMatch(/^[0-9a-f]{32}$/);
    expect(zone).toMatchObject({ name: 'office', account_id: accountId, address_count: 4, excluded_count: 1, description: 'the office network' });
    expect(zone.crn).toBe(`crn:v1:bluemix:public:context-based-restrictions:global:a/${accountId}::zone:${zone.id}`);
    expect(zone.href).toBe(`${server.url}/v1/zones/${zone.id}`);
    const tag = created.headers.etag as string;
    expect(tag).toBeTruthy();

    const read = await cbr.getZone({ zoneId: zone.id });
    expect(read.result.addresses).toEqual(zone.addresses);
    expect(read.headers.etag).toBe(tag);

    const list = await cbr.listZones({ accountId });
    expect(list.result.count).toBe(1);
    expect(list.result.zones[0]).toMatchObject({ id: zone.id, address_count: 4 });
    expect(list.result.zones[0]!.addresses_preview).toHaveLength(4);
    expect((await cbr.listZones({ accountId, name: 'nothing-like-it' })).result.count).toBe(0);

    const replaced = await cbr.replaceZone({ zoneId: zone.id, ifMatch: tag, name: 'office-2', accountId, addresses: [address('ipAddress', '192.0.2.11')] });
    expect(replaced.result).toMatchObject({ name: 'office-2', address_count: 1, excluded_count: 0 });
    expect(replaced.headers.etag).not.toBe(tag);

    // The tag read before the replacement names an older version now.
    const stale = await errorOf(cbr.replaceZone({ zoneId: zone.id, ifMatch: tag, name: 'office-3', accountId, addresses: [address('ipAddress', '192.0.2.12')] }));
    expect(stale.status).toBe(412);
    expect((await cbr.getZone({ zoneId: zone.id })).result.name).toBe('office-2');

    expect((await cbr.deleteZone({ zoneId: zone.id })).status).toBe(204);
    expect((await errorOf(cbr.getZone({ zoneId: zone.id }))).status).toBe(404);
  });

  it('refuses a second zone of the same name in the account (409) and keeps the first', async () => {
    await cbr.createZone({ name: 'dup', accountId, addresses: [address('ipAddress', '192.0.2.1')] });
    const error = await errorOf(cbr.createZone({ name: 'dup', accountId, addresses: [address('ipAddress', '192.0.2.2')] }));
    expect(error.status).toBe(409);
    expect((await cbr.listZones({ accountId, name: 'dup' })).result.count).toBe(1);
  });

  it.each([
    ['ipAddress', '192.0.2.300'],
    ['ipAddress', '169.23.56.234.'],
    ['ipAddress', '10.1'],
    ['ipRange', '192.0.2.9-192.0.2.1'],
    ['ipRange', '192.0.2.1-2001:db8::1'],
    ['subnet', '192.0.2.0/33'],
    ['subnet', '2001:db8::'],
  ] as const)('refuses the malformed %s %s with 400 and writes nothing', async (type, value) => {
    const name = `bad-${type}-${value.length}-${Math.random().toString(16).slice(2, 8)}`;
    const error = await errorOf(cbr.createZone({ name, accountId, addresses: [address(type, value)] }));
    expect(error.status).toBe(400);
    expect(error.message).toContain(value);
    expect((await cbr.listZones({ accountId, name })).result.count).toBe(0);
  });

  it('refuses an address type it does not know and an exclusion that is not an IP entry', async () => {
    const bearer = await bearerOf(server.url, server.owner.apikey);
    const unknown = await rawCall(server.url, bearer, 'POST', '/v1/zones', JSON.stringify({ name: 'x', account_id: accountId, addresses: [{ type: 'Address', value: '192.0.2.1' }] }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].code).toBeTruthy();
    const excludedVpc = await rawCall(
      server.url,
      bearer,
      'POST',
      '/v1/zones',
      JSON.stringify({ name: 'y', account_id: accountId, addresses: [address('ipAddress', '192.0.2.1')], excluded: [address('vpc', 'crn:v1:bluemix:public:is:us-south:a/x::vpc:r006')] }),
    );
    expect(excludedVpc.status).toBe(400);
  });

  it('answers 404 for unknown and malformed zone ids, and 400 for a malformed account id', async () => {
    expect((await errorOf(cbr.getZone({ zoneId: '648961210dab8fdffac52cc2f28e200f' }))).status).toBe(404);
    expect((await errorOf(cbr.deleteZone({ zoneId: 'not-a-zone' }))).status).toBe(404);
    expect((await errorOf(cbr.listZones({ accountId: 'this_is_an_invalid_id' }))).status).toBe(400);
  });

  it('requires If-Match to replace a zone (428)', async () => {
    const zone = (await cbr.createZone({ name: 'needs-tag', accountId, addresses: [address('ipAddress', '192.0.2.3')] })).result;
    const bearer = await bearerOf(server.url, server.owner.apikey);
    const response = await rawCall(server.url, bearer, 'PUT', `/v1/zones/${zone.id}`, JSON.stringify({ name: 'needs-tag', account_id: accountId, addresses: [address('ipAddress', '192.0.2.4')] }));
    expect(response.status).toBe(428);
  });

  it('lists the service reference targets from the catalog and resolves one', async () => {
    const all = await cbr.listAvailableServicerefTargets({ type: 'all' });
    expect(all.result.count).toBe(all.result.targets.length);
    expect(all.result.targets.map((t) => t.service_name)).toContain('containers-kubernetes');
    const one = await cbr.getServicerefTarget({ serviceName: 'containers-kubernetes' });
    expect(one.result.locations!.map((l) => l.name)).toContain('dal');
    expect((await errorOf(cbr.getServicerefTarget({ serviceName: 'invalid-service-name' }))).status).toBe(404);
    expect((await errorOf(cbr.listAvailableServicerefTargets({ type: 'invalid-type' }))).status).toBe(400);
  });

  it('refuses a service reference to a service the catalog does not know or a location not configured', async () => {
    const unknownService = await errorOf(
      cbr.createZone({ name: 'ref-1', accountId, addresses: [serviceRef({ account_id: accountId, service_name: 'no-such-service' })] }),
    );
    expect(unknownService.status).toBe(400);
    const unknownLocation = await errorOf(
      cbr.createZone({ name: 'ref-2', accountId, addresses: [serviceRef({ account_id: accountId, service_name: 'containers-kubernetes', location: 'atlantis' })] }),
    );
    expect(unknownLocation.status).toBe(400);
  });
});

describe('zones across accounts', () => {
  it('answers another account\'s zone like a missing one and refuses creating a zone in another account', async () => {
    const other = await createOtherAccount(server);
    const theirs = cbrClient(server.url, other.apikey);
    const zone = (await theirs.createZone({ name: 'theirs', accountId: other.accountId, addresses: [address('ipAddress', '192.0.2.77')] })).result;
    expect((await errorOf(cbr.getZone({ zoneId: zone.id }))).status).toBe(404);
    expect((await errorOf(cbr.deleteZone({ zoneId: zone.id }))).status).toBe(404);
    expect((await errorOf(cbr.replaceZone({ zoneId: zone.id, ifMatch: '*', name: 'mine', accountId: other.accountId, addresses: [address('ipAddress', '192.0.2.78')] }))).status).toBe(404);
    expect((await errorOf(cbr.createZone({ name: 'intruder', accountId: other.accountId, addresses: [address('ipAddress', '192.0.2.79')] }))).status).toBe(403);
    expect((await errorOf(cbr.listZones({ accountId: other.accountId }))).status).toBe(403);
    expect((await theirs.listZones({ accountId: other.accountId })).result.count).toBe(1);
  });
});
