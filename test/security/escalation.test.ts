import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, buildFixture, platformRole, READER, v1Body, v2Body, type Fixture, type Granter, type Reply, type Subject } from './escalation-fixture.js';
import { COS, GROUPS_SERVICE, holdsOn, KMS, mayGrant, ROLE_SERVICE, type Resource, type Scope } from './escalation-oracle.js';
import { crossAccountAttempts } from './escalation-routes.js';

/**
 * Granting is bounded by what the granter administers (reference/authz.md §3.1). Every granter
 * access × every attempted grant × every way of granting is tried, and each outcome is compared
 * with the oracle (escalation-oracle.ts, written from the reference, not from the server's code):
 * a success the rule forbids is an escalation, a refusal it allows a wrongful denial.
 */

interface Outcome {
  granter: string;
  operation: string;
  detail: string;
  expected: boolean;
  status: number;
  /** The first error message of a refusal, to tell why. */
  message?: string;
}

const IDENTITY_SERVICE: Resource = { service: 'iam-identity', type: 'platform_service', group: 'IAM' };

describe('escalation matrix', () => {
  let server: TestServer;
  let f: Fixture;
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    f = await buildFixture(server);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  const asOwner = (method: string, path: string, body?: unknown) => api(f.url, f.owner, method, path, body, { 'If-Match': '*' });
  /** The network zone the matrix's restriction rules name, created once. */
  let zonePromise: Promise<Reply> | undefined;
  const zoneOnce = () =>
    (zonePromise ??= asOwner('POST', '/v1/zones', { name: 'escalation-matrix', account_id: f.accountId, addresses: [{ type: 'subnet', value: '192.0.2.0/24' }] }));

  /** Records an attempt; returns whether it succeeded. */
  function record(g: Granter, operation: string, detail: string, expected: boolean, reply: Reply, succeeded = reply.status < 300): boolean {
    const status = succeeded ? reply.status : reply.status < 300 ? (reply.body?.members?.[0]?.status_code ?? 403) : reply.status;
    const message = succeeded ? undefined : (reply.body?.errors?.[0]?.message ?? reply.body?.members?.[0]?.errors?.[0]?.message ?? JSON.stringify(reply.body));
    outcomes.push({ granter: g.name, operation, detail, expected, status, ...(message !== undefined ? { message } : {}) });
    return succeeded;
  }

  /** The roles a grant on `scope` can name: platform roles anywhere, a service role and the custom role where they apply. */
  function rolesFor(scope: Scope): string[] {
    const roles = [platformRole('Viewer'), platformRole('Administrator')];
    if (f.universe.some((r) => scope.matches(r) && r.type === 'service')) roles.push(READER);
    if (scope.attributes.some((a) => a.key === 'serviceName' && a.operator === 'stringEquals' && a.value === COS)) roles.push(f.customRole.crn);
    return roles;
  }

  const subjectOf = (g: Granter, s: Subject | 'self'): Subject => (s === 'self' ? { iam_id: g.iamId } : s);

  /**
   * Every subject on every target, through v1 and v2 in turn (the other one over the next target
   * and granter), with the target's roles in rotation; a grant that succeeds is deleted again by
   * its granter through the other API version.
   */
  async function createAndDelete(g: Granter, gi: number, t: number): Promise<void> {
    const scope = f.scopes[t]!;
    const allowed = mayGrant(g.holdings, scope, f.universe);
    const roles = rolesFor(scope);
    for (const [s, { name, subject }] of f.subjects.entries()) {
      const [syntax, other] = (s + t + gi) % 2 === 0 ? (['v1', 'v2'] as const) : (['v2', 'v1'] as const);
      const role = roles[(s + t + gi) % roles.length]!;
      const body = (syntax === 'v1' ? v1Body : v2Body)(f.accountId, subjectOf(g, subject), scope, role);
      const detail = `${role.split(':').pop()} on ${scope.name} for ${name}`;
      const created = await api(f.url, g.bearer, 'POST', `/${syntax}/policies`, body);
      if (!record(g, `${syntax} create`, detail, allowed, created)) continue;
      const removed = await api(f.url, g.bearer, 'DELETE', `/${other}/policies/${created.body.id}`);
      if (!record(g, `${other} delete`, detail, allowed, removed)) await asOwner('DELETE', `/v1/policies/${created.body.id}`);
    }
  }

  /** The fixture set a granter works on: granters who may grant somewhere change theirs (and restore it). */
  const setOf = (g: Granter) => (f.scopes.some((scope) => mayGrant(g.holdings, scope, f.universe)) ? 0 : 1);

  async function replaceInPlace(g: Granter, t: number): Promise<void> {
    const scope = f.scopes[t]!;
    const fixture = f.replaceable[setOf(g)][t]!;
    const reply = await api(f.url, g.bearer, 'PUT', `/v1/policies/${fixture.id}`, v1Body(f.accountId, fixture.subject, scope, platformRole('Administrator')), { 'If-Match': '*' });
    if (record(g, 'v1 replace', `Viewer → Administrator on ${scope.name}`, mayGrant(g.holdings, scope, f.universe), reply)) {
      await asOwner('PUT', `/v1/policies/${fixture.id}`, v1Body(f.accountId, fixture.subject, scope, platformRole('Viewer')));
    }
  }

  async function replaceMoving(g: Granter, gi: number, t: number): Promise<void> {
    const n = f.scopes.length;
    const from = (t + 1 + gi) % n;
    const [oldScope, newScope] = [f.scopes[from]!, f.scopes[t]!];
    const fixture = f.replaceable[setOf(g)][from]!;
    const allowed = mayGrant(g.holdings, oldScope, f.universe) && mayGrant(g.holdings, newScope, f.universe);
    const reply = await api(f.url, g.bearer, 'PUT', `/v2/policies/${fixture.id}`, v2Body(f.accountId, fixture.subject, newScope, platformRole('Viewer')), { 'If-Match': '*' });
    if (record(g, 'v2 replace', `${oldScope.name} → ${newScope.name}`, allowed, reply)) {
      await asOwner('PUT', `/v2/policies/${fixture.id}`, v2Body(f.accountId, fixture.subject, oldScope, platformRole('Viewer')));
    }
  }

  async function deleteFixture(g: Granter, gi: number, t: number): Promise<void> {
    const scope = f.scopes[t]!;
    const id = f.deletable[setOf(g)][t]!;
    const syntax = (gi + t) % 2 === 0 ? 'v1' : 'v2';
    const reply = await api(f.url, g.bearer, 'DELETE', `/${syntax}/policies/${id}`);
    if (record(g, `${syntax} delete`, `a policy on ${scope.name}`, mayGrant(g.holdings, scope, f.universe), reply)) {
      await asOwner('PATCH', `/v1/policies/${id}`, { state: 'active' });
    }
  }

  async function joinGroup(g: Granter, t: number): Promise<void> {
    const scope = f.scopes[t]!;
    const groupId = f.groups[t]!;
    const allowed = holdsOn(g.holdings, GROUPS_SERVICE, ['Administrator', 'Editor']) && mayGrant(g.holdings, scope, f.universe);
    const reply = await api(f.url, g.bearer, 'PUT', `/v2/groups/${groupId}/members`, { members: [{ iam_id: f.joiner, type: 'user' }] });
    const added = reply.status < 300 && reply.body?.members?.[0]?.status_code === 200;
    if (record(g, 'access group member add', `a group with Administrator on ${scope.name}`, allowed, reply, added)) {
      await api(f.url, f.owner, 'DELETE', `/v2/groups/${groupId}/members/${f.joiner}`);
    }
  }

  /**
   * Whoever may assume a profile receives its access: a granter making themself an identity of a
   * profile, or adding a claim rule or a compute-resource link to it, grants what the profile holds.
   */
  async function assumeProfile(g: Granter, t: number): Promise<void> {
    const scope = f.scopes[t]!;
    const profileId = f.profiles[t]!;
    const allowed = mayGrant(g.holdings, scope, f.universe);
    const detail = `a profile with Administrator on ${scope.name}${t % 2 === 1 ? ' through its access group' : ''}`;
    const path = `/v1/profiles/${profileId}`;
    const identity = await api(f.url, g.bearer, 'POST', `${path}/identities/user`, { identifier: g.iamId, type: 'user' });
    if (record(g, 'profile identity add', detail, allowed, identity)) await api(f.url, f.owner, 'DELETE', `${path}/identities/user/${g.iamId}`);
    const rule = await api(f.url, g.bearer, 'POST', `${path}/rules`, {
      type: 'Profile-SAML',
      realm_name: 'https://idp.example.com',
      expiration: 3600,
      conditions: [{ claim: 'email', operator: 'EQUALS', value: JSON.stringify(`${g.iamId}@example.com`) }],
    });
    if (record(g, 'profile claim rule create', detail, allowed, rule)) await api(f.url, f.owner, 'DELETE', `${path}/rules/${rule.body.id}`);
    const link = await api(f.url, g.bearer, 'POST', `${path}/links`, {
      cr_type: 'VSI',
      link: { crn: `crn:v1:bluemix:public:is:us-south:a/${f.accountId}::instance:${g.iamId}-${t}` },
    });
    if (record(g, 'profile link create', detail, allowed, link)) await api(f.url, f.owner, 'DELETE', `${path}/links/${link.body.id}`);
  }

  async function customRoles(g: Granter, gi: number): Promise<void> {
    const role = f.customRole;
    const update = {
      display_name: 'Escalation reader',
      actions: [...role.actions, 'cloud-object-storage.bucket.head'],
    };
    const mayUpdate = holdsOn(g.holdings, ROLE_SERVICE, ['Administrator', 'Editor']) && mayGrant(g.holdings, f.customRoleScope, f.universe);
    const updated = await api(f.url, g.bearer, 'PUT', `/v2/roles/${role.id}`, update, { 'If-Match': '*' });
    if (record(g, 'custom role update', `new actions for a role granted on ${f.customRoleScope.name}`, mayUpdate, updated)) {
      await asOwner('PUT', `/v2/roles/${role.id}`, { display_name: 'Escalation reader', actions: role.actions });
    }
    const created = await api(f.url, g.bearer, 'POST', '/v2/roles', {
      name: `Escalation${gi}`,
      display_name: 'Escalation writer',
      account_id: f.accountId,
      service_name: COS,
      actions: ['cloud-object-storage.object.put'],
    });
    if (record(g, 'custom role create', `a role of ${COS}`, holdsOn(g.holdings, ROLE_SERVICE, ['Administrator']), created)) {
      await api(f.url, f.owner, 'DELETE', `/v2/roles/${created.body.id}`);
    }
  }

  /**
   * A context-based restriction rule is a grant of sorts (it decides who reaches a service): it
   * takes Administrator on the service it restricts (cbr.rule.*). Rules are written disabled, so
   * the matrix's other calls stay unrestricted.
   */
  async function restrictionRules(g: Granter): Promise<void> {
    const zoneId = (await zoneOnce()).body.id as string;
    for (const service of [COS, KMS]) {
      const allowed = holdsOn(g.holdings, { service, type: 'service' }, ['Administrator']);
      const created = await api(f.url, g.bearer, 'POST', '/v1/rules', {
        contexts: [{ attributes: [{ name: 'networkZoneId', value: zoneId }] }],
        resources: [{ attributes: [{ name: 'accountId', value: f.accountId }, { name: 'serviceName', value: service }] }],
        enforcement_mode: 'disabled',
      });
      if (record(g, 'restriction rule create', `a rule on ${service}`, allowed, created)) {
        const removed = await api(f.url, g.bearer, 'DELETE', `/v1/rules/${created.body.id}`);
        if (!record(g, 'restriction rule delete', `a rule on ${service}`, allowed, removed)) await asOwner('DELETE', `/v1/rules/${created.body.id}`);
      }
    }
  }

  /**
   * Trusting a workload-token issuer (a Portcullis extension) is managing iam-identity: Editors
   * and Administrators there may, nobody else. It grants nothing by itself (profiles' links and
   * rules decide who reaches a profile), so the grant rule does not bound it further.
   */
  async function trustedIssuers(g: Granter, gi: number): Promise<void> {
    const allowed = holdsOn(g.holdings, IDENTITY_SERVICE, ['Administrator', 'Editor']);
    const created = await api(f.url, g.bearer, 'POST', '/v1/trusted_issuers', {
      account_id: f.accountId,
      name: `escalation issuer ${gi}`,
      type: 'oidc',
      issuer: `https://ci-${gi}.example.com`,
      audiences: ['portcullis'],
      jwks_url: `https://ci-${gi}.example.com/jwks`,
    });
    if (record(g, 'trusted issuer create', 'an OIDC issuer of the account', allowed, created)) {
      await api(f.url, f.owner, 'DELETE', `/v1/trusted_issuers/${created.body.id}`);
    }
  }

  /**
   * Reading the audit trail (a Portcullis extension) is `iam-identity.audit.read` on the account:
   * any platform role on all of IAM Identity reads it; a role on one resource type of it (every
   * granter's Editor on trusted profiles) does not. It grants nothing, so the grant rule does not bound it.
   */
  async function auditTrail(g: Granter): Promise<void> {
    const allowed = holdsOn(g.holdings, IDENTITY_SERVICE, ['Administrator', 'Editor', 'Operator', 'Viewer']);
    record(g, 'audit events read', 'the account\'s trail', allowed, await api(f.url, g.bearer, 'GET', `/v1/audit_events?account_id=${f.accountId}&limit=1`));
  }

  /**
   * Asking ahead (`POST /v2/policies/grantable`, which the console's assign-access flow uses) must
   * say exactly what the grant rule says, scope by scope.
   */
  async function grantableScopes(g: Granter): Promise<void> {
    const reply = await api(f.url, g.bearer, 'POST', '/v2/policies/grantable', {
      account_id: f.accountId,
      resources: f.scopes.map((scope) => ({ attributes: scope.attributes })),
    });
    for (const [t, scope] of f.scopes.entries()) {
      record(g, 'grantable', `asked about ${scope.name}`, mayGrant(g.holdings, scope, f.universe), reply, reply.status === 200 && reply.body.resources[t]?.grantable === true);
    }
  }

  /**
   * Registering an identity provider for sign-in is `iam-identity.idp.create`: only Administrators of
   * IAM Identity may (stricter than IBM's table: an IdP signs in as any member, the owner included).
   */
  async function identityProviders(g: Granter, gi: number): Promise<void> {
    const allowed = holdsOn(g.holdings, IDENTITY_SERVICE, ['Administrator']);
    const created = await api(f.url, g.bearer, 'POST', '/v1/identity_providers', {
      account_id: f.accountId,
      name: `escalation idp ${gi}`,
      protocol: 'oidc',
      issuer: `https://idp-${gi}.example.com`,
      client_id: 'portcullis',
    });
    if (record(g, 'identity provider create', 'an OIDC IdP of the account', allowed, created)) {
      await api(f.url, f.owner, 'DELETE', `/v1/identity_providers/${created.body.id}`);
    }
  }

  it('lets nobody grant beyond what they administer, and refuses nobody what they do', async () => {
    const targets = f.scopes.map((_, t) => t);
    const tryAll = async (g: Granter, gi: number) => {
      await Promise.all(targets.map((t) => createAndDelete(g, gi, t)));
      await Promise.all(targets.map((t) => replaceInPlace(g, t)));
      await Promise.all(targets.map((t) => replaceMoving(g, gi, t)));
      await Promise.all(targets.map((t) => deleteFixture(g, gi, t)));
      await Promise.all(targets.map((t) => joinGroup(g, t)));
      await Promise.all(targets.map((t) => assumeProfile(g, t)));
      await customRoles(g, gi);
      await restrictionRules(g);
      await trustedIssuers(g, gi);
      await auditTrail(g);
      await grantableScopes(g);
      await identityProviders(g, gi);
    };
    // Who may grant somewhere changes state (and restores it) one at a time. Who may grant nowhere
    // changes nothing unless the server is wrong — which the outcomes then show — so they run side by side.
    const grantsSomewhere = (g: Granter) => setOf(g) === 0;
    const indexed = f.granters.map((g, gi) => ({ g, gi }));
    const granting = async () => {
      for (const { g, gi } of indexed.filter(({ g }) => grantsSomewhere(g))) await tryAll(g, gi);
    };
    const others = indexed.filter(({ g }) => !grantsSomewhere(g));
    const refused = async () => {
      for (let i = 0; i < others.length; i += 4) await Promise.all(others.slice(i, i + 4).map(({ g, gi }) => tryAll(g, gi)));
    };
    await Promise.all([granting(), refused()]);
    const describeOutcome = (o: Outcome) => `${o.granter}: ${o.operation} ${o.detail} → ${o.status}${o.message ? ` (${o.message})` : ''}`;
    // A 409 (the grant exists already, e.g. a granter's own policy for itself) means authorization passed.
    const passed = (o: Outcome) => o.status < 300 || o.status === 409;
    const escalations = outcomes.filter((o) => !o.expected && passed(o));
    const wrongful = outcomes.filter((o) => o.expected && o.status === 403);
    const unexpected = outcomes.filter((o) => !passed(o) && o.status !== 403);
    console.log(`escalation matrix: ${outcomes.length} tried, ${escalations.length} escalations, ${wrongful.length} wrongful denials`);
    expect({ escalations: escalations.map(describeOutcome), wrongful: wrongful.map(describeOutcome), unexpected: unexpected.map(describeOutcome) }).toEqual({
      escalations: [],
      wrongful: [],
      unexpected: [],
    });
  }, 300_000);

  it('answers identities of another account on every route exactly as for ids that do not exist, and changes nothing', async () => {
    const result = await crossAccountAttempts(server, f);
    console.log(`cross-account: ${result.tried} requests on ${result.routes} routes, ${result.leaks.length} leaks`);
    expect(result.leaks).toEqual([]);
    expect(result.changed).toEqual([]);
  }, 120_000);
});
