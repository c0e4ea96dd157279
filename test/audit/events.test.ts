import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerOf, newAccount, newMember, type Identity } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, platformRole, v2Body, type Reply } from '../security/escalation-fixture.js';

/**
 * The audit API (`GET /v1/audit_events`, a Portcullis extension): an account's events newest first,
 * filtered and paged; decided on `iam-identity.audit.read`; never a secret in an event; another
 * account's trail is refused like an account that does not exist.
 */

interface WireEvent {
  id: string;
  time: string;
  request_id: string;
  initiator: { iam_id: string; account_id: string | null };
  account_id: string;
  action: string;
  target: { type: string; id: string };
  outcome: 'success' | 'failure';
  details: Record<string, unknown>;
}

describe('audit events API', () => {
  let server: TestServer;
  let owner: string;
  let accountId: string;
  let viewer: Identity;
  let stranger: Identity;
  /** Every secret value the setup saw: none may appear in any event. */
  const secrets: string[] = [];

  const call = (method: string, path: string, body?: unknown, bearer = owner): Promise<Reply> => api(server.url, bearer, method, path, body);
  const events = async (query: string, bearer = owner) => call('GET', `/v1/audit_events?account_id=${accountId}${query}`, undefined, bearer);

  beforeAll(async () => {
    server = await startTestServer();
    accountId = server.owner.accountId;
    owner = await bearerOf(server.url, server.owner.apikey);
    secrets.push(server.owner.apikey);
    viewer = await newMember(server, accountId);
    stranger = await newMember(server, accountId);
    secrets.push(viewer.apikey, stranger.apikey);
    const granted = await call('POST', '/v2/policies', v2Body(accountId, { iam_id: viewer.iamId }, { name: 'iam-identity', attributes: [{ key: 'serviceName', operator: 'stringEquals', value: 'iam-identity' }], matches: () => true }, platformRole('Viewer')));
    expect(granted.status).toBe(201);
    // Secret-bearing writes: a service ID created with a key, a key with a chosen value, a refused duplicate of it.
    const sid = await call('POST', '/v1/serviceids', { account_id: accountId, name: 'audited-sid', apikey: { name: 'embedded' } });
    expect(sid.status).toBe(201);
    secrets.push(sid.body.apikey.apikey);
    const chosen = `chosen-${'s3cr3t'.repeat(8)}`;
    secrets.push(chosen);
    const key = await call('POST', '/v1/apikeys', { name: 'chosen', iam_id: sid.body.iam_id, account_id: accountId, apikey: chosen });
    expect(key.status).toBe(201);
    const again = await call('POST', '/v1/apikeys', { name: 'again', iam_id: sid.body.iam_id, account_id: accountId, apikey: chosen });
    expect(again.status).toBe(400);
    const own = await call('POST', '/v1/apikeys', { name: 'mine', iam_id: stranger.iamId, account_id: accountId }, await bearerOf(server.url, stranger.apikey));
    expect(own.status).toBe(201);
    secrets.push(own.body.apikey);
    // A refusal: the stranger may not create a service ID group.
    const refused = await call('POST', '/v1/serviceid_groups', { account_id: accountId, name: 'not allowed' }, await bearerOf(server.url, stranger.apikey));
    expect(refused.status).toBe(403);
  });
  afterAll(async () => server?.close());

  it('lists the account\'s events newest first, successes and failures, with who, what, target and request', async () => {
    const listed = await events('&limit=100');
    expect(listed.status).toBe(200);
    const list = listed.body.audit_events as WireEvent[];
    const ids = list.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const times = list.map((e) => e.time);
    expect(times).toEqual([...times].sort().reverse());
    const sidCreate = list.find((e) => e.action === 'iam-identity.serviceid.create')!;
    expect(sidCreate).toMatchObject({
      account_id: accountId,
      initiator: { iam_id: server.owner.iamId, account_id: accountId },
      target: { type: 'serviceid', id: expect.stringMatching(/^ServiceId-/) },
      outcome: 'success',
      details: { name: 'audited-sid', apikey_id: expect.stringMatching(/^ApiKey-/) },
      request_id: expect.any(String),
    });
    const refusal = list.find((e) => e.action === 'iam-identity.serviceid-group.create' && e.outcome === 'failure')!;
    expect(refusal.initiator.iam_id).toBe(stranger.iamId);
    expect(String(refusal.details.reason)).toMatch(/^insufficent_permissions: /);
    expect(list.some((e) => e.action === 'iam-identity.apikey.create' && e.outcome === 'failure')).toBe(true);
  });

  it('never holds a secret: API key values of every kind stay out of every event', async () => {
    const text = JSON.stringify((await events('&limit=100')).body);
    for (const secret of secrets) expect(text.includes(secret), 'a secret value in the audit trail').toBe(false);
    // The database rows too, not only what the API shows.
    const rows = await server.server.registry.database.db.selectFrom('audit_events').selectAll().execute();
    const stored = JSON.stringify(rows);
    for (const secret of secrets) expect(stored.includes(secret)).toBe(false);
  });

  it('filters by initiator, action (exact or prefix*), target, outcome and time, and pages with next until the end', async () => {
    const of = async (query: string) => ((await events(query)).body.audit_events as WireEvent[]);
    expect((await of(`&initiator_iam_id=${stranger.iamId}`)).every((e) => e.initiator.iam_id === stranger.iamId)).toBe(true);
    // The stranger's own key was issued in their name when they joined, then they created one and were refused a group.
    expect((await of(`&initiator_iam_id=${stranger.iamId}`)).map((e) => `${e.action} ${e.outcome}`)).toEqual([
      'iam-identity.serviceid-group.create failure',
      'iam-identity.apikey.create success',
      'iam-identity.apikey.create success',
    ]);
    const keyEvents = await of('&action=iam-identity.apikey.*&limit=100');
    expect(keyEvents.length).toBeGreaterThan(3);
    expect(keyEvents.every((e) => e.action.startsWith('iam-identity.apikey.'))).toBe(true);
    expect(await of('&action=iam-identity.apikey')).toEqual([]);
    expect((await of('&outcome=failure')).map((e) => e.action).sort()).toEqual(['iam-identity.apikey.create', 'iam-identity.serviceid-group.create']);
    const policy = (await of('&target_type=policy'))[0]!;
    expect((await of(`&target_id=${policy.target.id}`)).map((e) => e.id)).toEqual([policy.id]);
    expect(await of('&from=2999-01-01T00:00:00Z')).toEqual([]);
    expect((await of(`&to=${encodeURIComponent(policy.time)}`)).every((e) => e.time < policy.time)).toBe(true);

    const seen: string[] = [];
    let page = await events('&limit=2&outcome=success');
    expect(page.body.first.href).toContain('limit=2');
    for (;;) {
      expect(page.status).toBe(200);
      expect(page.body.audit_events.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.audit_events.map((e: WireEvent) => e.id));
      if (!page.body.next) break;
      expect(page.body.next.href).toContain('outcome=success');
      page = await call('GET', new URL(page.body.next.href).pathname + new URL(page.body.next.href).search);
    }
    expect(seen).toEqual((await of('&limit=100&outcome=success')).map((e) => e.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses bad filters and cursors with a 400 in the API handbook shape', async () => {
    for (const query of ['&from=yesterday', '&to=2026-13-45T00:00:00Z', '&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', '&start=bm90LWEtY3Vyc29y', '&start=%25%25', '&action=iam*.x', '&limit=0', '&limit=101', '&outcome=maybe']) {
      const reply = await events(query);
      expect(reply.status, query).toBe(400);
      expect(reply.body).toMatchObject({ status_code: 400, trace: expect.any(String), errors: [{ code: expect.any(String), message: expect.any(String) }] });
    }
    expect((await call('GET', '/v1/audit_events')).status).toBe(400);
  });

  it('is decided on iam-identity.audit.read: a Viewer of IAM Identity reads, a plain member does not, nobody reads another account', async () => {
    const asViewer = await events('', await bearerOf(server.url, viewer.apikey));
    expect(asViewer.status).toBe(200);
    expect(asViewer.body.audit_events.length).toBeGreaterThan(0);
    const asStranger = await events('', await bearerOf(server.url, stranger.apikey));
    expect(asStranger.status).toBe(403);
    const other = await newAccount(server);
    const otherBearer = await bearerOf(server.url, other.apikey);
    const ofA = await call('GET', `/v1/audit_events?account_id=${accountId}`, undefined, otherBearer);
    const ofNobody = await call('GET', `/v1/audit_events?account_id=${'0'.repeat(32)}`, undefined, otherBearer);
    expect([ofA.status, ofNobody.status]).toEqual([403, 403]);
    expect((await call('GET', `/v1/audit_events?account_id=${other.accountId}`, undefined, otherBearer)).body.audit_events.every((e: WireEvent) => e.account_id === other.accountId)).toBe(true);
    expect((await fetch(`${server.url}/v1/audit_events?account_id=${accountId}`)).status).toBe(401);
  });
});
