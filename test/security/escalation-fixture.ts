import { COS_PLAN, KMS_PLAN } from '../enterprise/clients.js';
import { bearerOf, newMember } from '../helpers/identities.js';
import type { TestServer } from '../helpers/server.js';
import { COS, scopes, universe, type Holdings, type Ids, type PlatformRole, type Resource, type Scope } from './escalation-oracle.js';

/**
 * The escalation matrix's account: resource groups and instances for every scope kind, the
 * subjects grants are attempted for, fixture policies to replace and delete, access groups whose
 * policies a new member would receive, a custom role in use, and one granter per access (set up
 * once, each with a token). Everything goes through the HTTP API as the owner.
 */

export interface Reply {
  status: number;
  body: any;
}

/** One raw HTTP call (JSON in and out). */
export async function api(url: string, bearer: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: bearer, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed };
}

export const platformRole = (name: string) => `crn:v1:bluemix:public:iam::::role:${name}`;
export const READER = 'crn:v1:bluemix:public:iam::::serviceRole:Reader';

export type Subject = { iam_id: string } | { access_group_id: string };

export function v1Body(accountId: string, subject: Subject, scope: Scope, role: string) {
  const [name, value] = Object.entries(subject)[0]!;
  return {
    type: 'access',
    subjects: [{ attributes: [{ name, value }] }],
    roles: [{ role_id: role }],
    resources: [{ attributes: [{ name: 'accountId', value: accountId }, ...scope.attributes.map((a) => ({ name: a.key, value: a.value, operator: a.operator }))] }],
  };
}

export function v2Body(accountId: string, subject: Subject, scope: Scope, role: string) {
  const [key, value] = Object.entries(subject)[0]!;
  return {
    type: 'access',
    subject: { attributes: [{ key, operator: 'stringEquals', value }] },
    resource: { attributes: [{ key: 'accountId', operator: 'stringEquals', value: accountId }, ...scope.attributes] },
    control: { grant: { roles: [{ role_id: role }] } },
  };
}

export interface Granter {
  name: string;
  holdings: Holdings;
  iamId: string;
  bearer: string;
}

export interface Fixture {
  url: string;
  accountId: string;
  owner: string;
  ids: Ids;
  scopes: Scope[];
  universe: Resource[];
  subjects: Array<{ name: string; subject: Subject | 'self' }>;
  /**
   * Per scope index: policies to replace (each its own subject) and to delete, in two sets (for
   * granters who may grant somewhere, and for those who may not, who run alongside), and an access
   * group holding Administrator there.
   */
  replaceable: [Array<{ id: string; subject: Subject }>, Array<{ id: string; subject: Subject }>];
  deletable: [string[], string[]];
  groups: string[];
  /**
   * Per scope index: a trusted profile holding Administrator there (directly on even indexes,
   * through the scope's access group on odd ones). Granters try to make themselves able to assume it.
   */
  profiles: string[];
  /** The user granters try to add to those groups. */
  joiner: string;
  customRole: { id: string; crn: string; actions: string[] };
  /** The scope of the policy that grants the custom role. */
  customRoleScope: Scope;
  granters: Granter[];
}

const ROLES: PlatformRole[] = ['Administrator', 'Editor', 'Operator', 'Viewer'];

/** Asserts a setup call succeeded and returns its body. */
async function ok(reply: Promise<Reply>, what: string): Promise<any> {
  const r = await reply;
  if (r.status >= 300) throw new Error(`setup: ${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function buildFixture(server: TestServer): Promise<Fixture> {
  const { url } = server;
  const accountId = server.owner.accountId;
  const owner = await bearerOf(url, server.owner.apikey);
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => api(url, owner, method, path, body, headers);

  const group = async (name: string) => (await ok(call('POST', '/v2/resource_groups', { name, account_id: accountId }), 'resource group')).id as string;
  const rg = await group('escalation-rg');
  const rg2 = await group('escalation-rg2');
  const instance = async (name: string, resourceGroup: string, plan: string, target: string) =>
    (await ok(call('POST', '/v2/resource_instances', { name, target, resource_group: resourceGroup, resource_plan_id: plan }), 'instance')).guid as string;
  const ids: Ids = {
    rg,
    rg2,
    cos: await instance('esc-cos', rg, COS_PLAN, 'global'),
    cos2: await instance('esc-cos2', rg2, COS_PLAN, 'global'),
    kms: await instance('esc-kms', rg, KMS_PLAN, 'us-south'),
  };
  const all = scopes(ids);
  const user = async () => (await newMember(server, accountId)).iamId;
  const policy = async (subject: Subject, scope: Scope, role: string) =>
    (await ok(call('POST', '/v2/policies', v2Body(accountId, subject, scope, role)), `policy on ${scope.name}`)).id as string;
  const accessGroup = async (name: string) => (await ok(call('POST', `/v2/groups?account_id=${accountId}`, { name }), 'access group')).id as string;

  const serviceId = (await ok(call('POST', '/v1/serviceids', { account_id: accountId, name: 'escalation-sid' }), 'service ID')).iam_id as string;
  const subjects: Fixture['subjects'] = [
    { name: 'self', subject: 'self' },
    { name: 'another user', subject: { iam_id: await user() } },
    { name: 'a service ID', subject: { iam_id: serviceId } },
    { name: 'an access group', subject: { access_group_id: await accessGroup('escalation-subjects') } },
  ];

  const replaceable: Fixture['replaceable'] = [[], []];
  const deletable: Fixture['deletable'] = [[], []];
  const groups: string[] = [];
  const profiles: string[] = [];
  const deleters = [{ iam_id: await user() }, { iam_id: await user() }];
  for (const [i, scope] of all.entries()) {
    for (const set of [0, 1] as const) {
      const subject = { iam_id: await user() };
      replaceable[set].push({ id: await policy(subject, scope, platformRole('Viewer')), subject });
      deletable[set].push(await policy(deleters[set]!, scope, platformRole('Viewer')));
    }
    const g = await accessGroup(`escalation-grants-${i}`);
    await policy({ access_group_id: g }, scope, platformRole('Administrator'));
    groups.push(g);
    const profile = await ok(call('POST', '/v1/profiles', { account_id: accountId, name: `escalation-profile-${i}` }), 'profile');
    if (i % 2 === 0) await policy({ iam_id: profile.iam_id }, scope, platformRole('Administrator'));
    else await ok(call('PUT', `/v2/groups/${g}/members`, { members: [{ iam_id: profile.iam_id, type: 'profile' }] }), 'profile membership');
    profiles.push(profile.id);
  }

  const actions = ['cloud-object-storage.bucket.get'];
  const role = await ok(
    call('POST', '/v2/roles', { name: 'EscalationReader', display_name: 'Escalation reader', account_id: accountId, service_name: COS, actions }),
    'custom role',
  );
  const customRoleScope = all.find((s) => s.name === `a ${COS} instance`)!;
  await policy({ iam_id: await user() }, customRoleScope, role.crn);

  const groupsEditor = { name: 'service iam-groups', attributes: [{ key: 'serviceName', operator: 'stringEquals' as const, value: 'iam-groups' }], matches: (r: Resource) => r.service === 'iam-groups' };
  const identityEditor = {
    name: 'trusted profiles',
    attributes: [
      { key: 'serviceName', operator: 'stringEquals' as const, value: 'iam-identity' },
      { key: 'resourceType', operator: 'stringEquals' as const, value: 'profile' },
    ],
    matches: (r: Resource) => r.service === 'iam-identity' && r.resourceType === 'profile',
  };
  const granters: Granter[] = [{ name: 'owner', holdings: { owner: true, roles: [] }, iamId: server.owner.iamId, bearer: owner }];
  /**
   * A granter also holds Editor on iam-groups and on trusted profiles, so adding group members and
   * changing who may assume a profile are decided by the grant rule alone.
   */
  const granter = async (name: string, held: Array<{ role: PlatformRole; scope: Scope }>, viaGroup: boolean) => {
    const member = await newMember(server, accountId);
    await policy({ iam_id: member.iamId }, groupsEditor, platformRole('Editor'));
    await policy({ iam_id: member.iamId }, identityEditor, platformRole('Editor'));
    if (viaGroup) {
      const g = await accessGroup(`escalation-granter-${granters.length}`);
      for (const h of held) await policy({ access_group_id: g }, h.scope, platformRole(h.role));
      await ok(call('PUT', `/v2/groups/${g}/members`, { members: [{ iam_id: member.iamId, type: 'user' }] }), 'membership');
    } else {
      for (const h of held) await policy({ iam_id: member.iamId }, h.scope, platformRole(h.role));
    }
    granters.push({
      name,
      holdings: { owner: false, roles: [...held, { role: 'Editor', scope: groupsEditor }, { role: 'Editor', scope: identityEditor }] },
      iamId: member.iamId,
      bearer: await bearerOf(url, member.apikey),
    });
  };
  for (const scope of all) {
    for (const r of ROLES) await granter(`${r} on ${scope.name}`, [{ role: r, scope }], false);
    await granter(`member of a group with Administrator on ${scope.name}`, [{ role: 'Administrator', scope }], true);
  }
  await granter(
    'Administrator on all IAM-enabled and all account management services',
    [
      { role: 'Administrator', scope: all[1]! },
      { role: 'Administrator', scope: all[2]! },
    ],
    false,
  );

  return {
    url,
    accountId,
    owner,
    ids,
    scopes: all,
    universe: universe(ids),
    subjects,
    replaceable,
    deletable,
    groups,
    profiles,
    joiner: await user(),
    customRole: { id: role.id, crn: role.crn, actions },
    customRoleScope,
    granters,
  };
}
