import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerOf, newMember } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { buildEnterprise, settle, type TemplateWorld } from '../templates/enterprise.js';
import { api, platformRole, type Reply } from './escalation-fixture.js';

/**
 * Enterprise-managed resources in a child account: an access group (with its template member,
 * dynamic rule and referenced policy) and a trusted profile (with its claim rule, identity and
 * referenced policy), placed by templates without action controls. The rule (the issue's
 * "a child account's administrator cannot detach or weaken a managed resource"): every change
 * the child could make to them — update, delete, detach, add or take away a member, rule,
 * identity, link or policy — is refused 403 `enterprise_managed` to the child's owner and to a
 * child Administrator of every service alike, and afterwards every one of them reads exactly as
 * before. Each row is an attempt; the expectation is the rule's, the same for every row.
 */

let server: TestServer;
let world: TemplateWorld;
const USER_RULE = { name: 'Engineers', expiration: 12, realm_name: 'https://idp.example.org/SAML2', conditions: [{ claim: 'team', operator: 'EQUALS', value: '"eng"' }] };
const PROFILE_RULE = { name: 'Auditors', type: 'Profile-SAML', realm_name: 'https://idp.example.org/SAML2', expiration: 3600, conditions: [{ claim: 'team', operator: 'EQUALS', value: '"audit"' }] };
const READ_COS = {
  type: 'access',
  resource: { attributes: [{ key: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] },
  control: { grant: { roles: [{ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:Reader' }] } },
};

interface Managed {
  accountId: string;
  groupId: string;
  groupRuleId: string;
  groupPolicyId: string;
  /** The template's member of the group (the child's owner). */
  memberId: string;
  profileId: string;
  profileIamId: string;
  profileRuleId: string;
  profilePolicyId: string;
  /** A user of the child who is not yet a member or identity of anything managed. */
  outsiderId: string;
}

/** One attempt on a managed resource. */
interface Row {
  what: string;
  method: string;
  path: string;
  body?: unknown;
}

function rowsOf(m: Managed, v1Policy: (id: string) => unknown, v2Policy: (id: string) => unknown): Row[] {
  const g = `/v2/groups/${m.groupId}`;
  const p = `/v1/profiles/${m.profileId}`;
  const policyRows = (of: string, id: string): Row[] => [
    { what: `replace the ${of}'s managed policy (v1)`, method: 'PUT', path: `/v1/policies/${id}`, body: v1Policy(id) },
    { what: `replace the ${of}'s managed policy (v2)`, method: 'PUT', path: `/v2/policies/${id}`, body: v2Policy(id) },
    { what: `delete the ${of}'s managed policy (v1 state)`, method: 'PATCH', path: `/v1/policies/${id}`, body: { state: 'deleted' } },
    { what: `delete the ${of}'s managed policy (v1)`, method: 'DELETE', path: `/v1/policies/${id}` },
    { what: `delete the ${of}'s managed policy (v2)`, method: 'DELETE', path: `/v2/policies/${id}` },
  ];
  const grantTo = (subject: { key: string; value: string }) => ({
    type: 'access',
    subject: { attributes: [{ key: subject.key, operator: 'stringEquals', value: subject.value }] },
    resource: { attributes: [{ key: 'accountId', operator: 'stringEquals', value: m.accountId }, { key: 'serviceName', operator: 'stringEquals', value: 'kms' }] },
    control: { grant: { roles: [{ role_id: platformRole('Viewer') }] } },
  });
  return [
    { what: 'rename the group', method: 'PATCH', path: g, body: { name: 'taken over' } },
    { what: 'delete the group', method: 'DELETE', path: g },
    { what: 'delete the group with force', method: 'DELETE', path: `${g}?force=true` },
    { what: 'add a member to the group', method: 'PUT', path: `${g}/members`, body: { members: [{ iam_id: m.outsiderId, type: 'user' }] } },
    { what: "remove the template's member", method: 'DELETE', path: `${g}/members/${m.memberId}` },
    { what: "remove the template's member in bulk", method: 'POST', path: `${g}/members/delete`, body: { members: [m.memberId] } },
    { what: "remove the template's member from all groups", method: 'DELETE', path: `/v2/groups/_allgroups/members/${m.memberId}?account_id=${m.accountId}` },
    { what: 'add a dynamic rule', method: 'POST', path: `${g}/rules`, body: USER_RULE },
    { what: "change the template's rule", method: 'PUT', path: `${g}/rules/${m.groupRuleId}`, body: { ...USER_RULE, expiration: 24 } },
    { what: "remove the template's rule", method: 'DELETE', path: `${g}/rules/${m.groupRuleId}` },
    { what: 'give the group a policy', method: 'POST', path: '/v2/policies', body: grantTo({ key: 'access_group_id', value: m.groupId }) },
    ...policyRows('group', m.groupPolicyId),
    { what: 'update the profile', method: 'PUT', path: p, body: { name: 'taken over' } },
    { what: 'delete the profile', method: 'DELETE', path: p },
    { what: 'add a claim rule', method: 'POST', path: `${p}/rules`, body: PROFILE_RULE },
    { what: "change the template's claim rule", method: 'PUT', path: `${p}/rules/${m.profileRuleId}`, body: { ...PROFILE_RULE, expiration: 7200 } },
    { what: "remove the template's claim rule", method: 'DELETE', path: `${p}/rules/${m.profileRuleId}` },
    { what: 'add an identity', method: 'POST', path: `${p}/identities/user`, body: { identifier: m.outsiderId, type: 'user' } },
    { what: "remove the template's identity", method: 'DELETE', path: `${p}/identities/user/${m.memberId}` },
    { what: "replace the identities without the template's", method: 'PUT', path: `${p}/identities`, body: { identities: [{ identifier: m.outsiderId, type: 'user' }] } },
    { what: 'link a compute resource', method: 'POST', path: `${p}/links`, body: { cr_type: 'VSI', link: { crn: `crn:v1:bluemix:public:is:us-south:a/${m.accountId}::instance:managed-1` } } },
    { what: 'give the profile a policy', method: 'POST', path: '/v2/policies', body: grantTo({ key: 'iam_id', value: m.profileIamId }) },
    ...policyRows('profile', m.profilePolicyId),
  ];
}

/** The error code of a refusal: of the body, or of the first member or group of a multi-status answer. */
const codeOf = (reply: Reply): string | undefined =>
  reply.body?.errors?.[0]?.code ?? reply.body?.members?.[0]?.errors?.[0]?.code ?? reply.body?.groups?.[0]?.errors?.[0]?.code;
/** A multi-status answer's status for its first item, else the answer's. */
const statusOf = (reply: Reply): number => (reply.status === 207 ? Number(reply.body?.members?.[0]?.status_code ?? reply.body?.groups?.[0]?.status_code) : reply.status);

describe('enterprise-managed resources in a child account', () => {
  let m: Managed;
  let actors: { name: string; bearer: string }[];
  let ownerBearer: string;

  beforeAll(async () => {
    server = await startTestServer();
    world = await buildEnterprise(server);
    const { root, childA } = world;
    const accountId = childA.accountId;
    ownerBearer = await bearerOf(server.url, childA.apikey);
    // A child Administrator of every service (IAM-enabled and account management), not the owner.
    const admin = await newMember(server, accountId, { first: 'Child', last: 'Admin' });
    const outsider = await newMember(server, accountId, { first: 'Out', last: 'Sider' });
    for (const serviceType of ['service', 'platform_service']) {
      const made = await api(server.url, ownerBearer, 'POST', '/v1/policies', {
        type: 'access',
        subjects: [{ attributes: [{ name: 'iam_id', value: admin.iamId }] }],
        roles: [{ role_id: platformRole('Administrator') }],
        resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceType', value: serviceType }] }],
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
    }

    const policyTemplate = await root.policies.createPolicyTemplate({ accountId: root.accountId, name: 'Managed readers', policy: READ_COS as never, committed: true });
    const reference = [{ id: policyTemplate.result.id!, version: '1' }];
    const groupTemplate = await root.groups.createTemplate({
      name: 'Managed group',
      accountId: root.accountId,
      group: { name: 'Managed', members: { users: [childA.iamId] }, assertions: { rules: [USER_RULE] } },
      policyTemplateReferences: reference,
    });
    await root.groups.commitTemplate({ templateId: groupTemplate.result.id!, versionNum: '1', ifMatch: groupTemplate.headers.etag! });
    const groupAssignment = await root.groups.createAssignment({ templateId: groupTemplate.result.id!, templateVersion: '1', targetType: 'Account', target: accountId });
    const groupDone = await settle(() => root.groups.getAssignment({ assignmentId: groupAssignment.result.id! }));
    expect(groupDone).toMatchObject({ status: 'succeeded' });

    const profileTemplate = await root.identity.createProfileTemplate({
      accountId: root.accountId,
      name: 'Managed profile',
      profile: { name: 'Managed', rules: [PROFILE_RULE], identities: [{ identifier: childA.iamId, type: 'user' }] },
      policyTemplateReferences: reference,
    });
    await root.identity.commitProfileTemplate({ templateId: profileTemplate.result.id, version: '1' });
    const profileAssignment = await root.identity.createTrustedProfileAssignment({ templateId: profileTemplate.result.id, templateVersion: 1, targetType: 'Account', target: accountId });
    const profileDone = await settle(() => root.identity.getTrustedProfileAssignment({ assignmentId: profileAssignment.result.id }));
    expect(profileDone).toMatchObject({ status: 'succeeded' });

    const group = (await childA.groups.listAccessGroups({ accountId, hidePublicAccess: true })).result.groups!.find((x) => x.name === 'Managed')!;
    const groupRule = (await childA.groups.listAccessGroupRules({ accessGroupId: group.id! })).result.rules![0]!;
    const groupPolicy = (await childA.policies.listV2Policies({ accountId, accessGroupId: group.id! })).result.policies[0]!;
    const profile = (await childA.identity.listProfiles({ accountId })).result.profiles.find((x) => x.name === 'Managed')!;
    const profileRule = (await childA.identity.listClaimRules({ profileId: profile.id })).result.rules[0]!;
    const profilePolicy = (await childA.policies.listV2Policies({ accountId, iamId: profile.iam_id })).result.policies[0]!;
    m = {
      accountId,
      groupId: group.id!,
      groupRuleId: groupRule.id!,
      groupPolicyId: groupPolicy.id!,
      memberId: childA.iamId,
      profileId: profile.id,
      profileIamId: profile.iam_id,
      profileRuleId: profileRule.id,
      profilePolicyId: profilePolicy.id!,
      outsiderId: outsider.iamId,
    };
    actors = [
      { name: 'owner', bearer: ownerBearer },
      { name: 'Administrator', bearer: await bearerOf(server.url, admin.apikey) },
    ];
  }, 120_000);
  afterAll(() => server?.close());

  /** Everything the rows could change, read by the owner. */
  async function state(): Promise<unknown[]> {
    const reads = [
      `/v2/groups/${m.groupId}`,
      `/v2/groups/${m.groupId}/members`,
      `/v2/groups/${m.groupId}/rules`,
      `/v2/policies?account_id=${m.accountId}&access_group_id=${m.groupId}`,
      `/v1/profiles/${m.profileId}`,
      `/v1/profiles/${m.profileId}/rules`,
      `/v1/profiles/${m.profileId}/identities`,
      `/v1/profiles/${m.profileId}/links`,
      `/v2/policies?account_id=${m.accountId}&iam_id=${m.profileIamId}`,
      `/v2/policies/${m.groupPolicyId}`,
      `/v2/policies/${m.profilePolicyId}`,
    ];
    return Promise.all(reads.map(async (path) => ({ path, ...(await api(server.url, ownerBearer, 'GET', path)) })));
  }

  it("refuses the child's owner and Administrator every change (403 enterprise_managed) and changes nothing", async () => {
    const before = await state();
    expect(before.map((r) => (r as Reply).status)).toEqual(before.map(() => 200));
    const v1Of = async (id: string) => (await api(server.url, ownerBearer, 'GET', `/v1/policies/${id}`)).body;
    const v2Of = async (id: string) => (await api(server.url, ownerBearer, 'GET', `/v2/policies/${id}`)).body;
    const v1 = new Map<string, any>();
    const v2 = new Map<string, any>();
    for (const id of [m.groupPolicyId, m.profilePolicyId]) {
      const a = await v1Of(id);
      v1.set(id, { type: a.type, subjects: a.subjects, roles: [{ role_id: platformRole('Administrator') }], resources: a.resources });
      const b = await v2Of(id);
      v2.set(id, { type: b.type, subject: b.subject, resource: b.resource, control: { grant: { roles: [{ role_id: platformRole('Administrator') }] } } });
    }
    const rows = rowsOf(m, (id) => v1.get(id), (id) => v2.get(id));
    const wrong: string[] = [];
    for (const actor of actors) {
      for (const row of rows) {
        const reply = await api(server.url, actor.bearer, row.method, row.path, row.body, { 'If-Match': '*' });
        const status = statusOf(reply);
        if (status !== 403 || codeOf(reply) !== 'enterprise_managed') wrong.push(`${actor.name}: ${row.what} → ${status} ${JSON.stringify(reply.body).slice(0, 300)}`);
      }
    }
    console.log(`managed resources: ${rows.length * actors.length} attempts, ${wrong.length} not refused as managed`);
    expect(wrong).toEqual([]);
    expect(await state()).toEqual(before);
  }, 120_000);
});
