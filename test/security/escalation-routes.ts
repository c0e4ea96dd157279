import { randomBytes } from 'node:crypto';
import { bearerOf, newAccount } from '../helpers/identities.js';
import type { TestServer } from '../helpers/server.js';
import { SoftAuthenticator } from '../helpers/webauthn.js';
import { api, type Fixture, type Reply } from './escalation-fixture.js';

/**
 * Cross-account attempts on every route of the OpenAPI document: an identity of account B (its
 * owner, who may do anything in B) calls each route that takes an id or an account with the ids of
 * account A, and again with ids that exist nowhere (same shape). The two answers must be the same
 * refusal (404 for an id, or the account-level 403 IBM gives for an account that is not the
 * caller's): an id of another account reveals nothing. Afterwards account A must be unchanged.
 */

type Schema = Record<string, any>;

/** A small valid-looking value for a JSON schema (required properties only), so the call gets past validation. */
function sample(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return undefined;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) return sample(alternatives[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = sample(schema.properties?.[key], depth + 1);
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items, depth + 1));
    case 'string':
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    default:
      return undefined;
  }
}

/** A value of the same shape that names nothing: hex digits replaced, prefixes kept. */
function missingLike(value: string): string {
  return value.replace(/[0-9a-f]{8,}/gi, (run) => randomBytes(Math.ceil(run.length / 2)).toString('hex').slice(0, run.length));
}

/** What account A holds that a by-id route might name, by path prefix and parameter name. */
async function idsOfA(server: TestServer, f: Fixture) {
  const owner = (method: string, path: string, body?: unknown) => api(f.url, f.owner, method, path, body);
  const keys = await owner('GET', `/v1/apikeys?account_id=${f.accountId}&iam_id=${server.owner.iamId}`);
  const serviceIds = await owner('GET', `/v1/serviceids?account_id=${f.accountId}`);
  const rule = await owner('POST', `/v2/groups/${f.groups[0]}/rules`, {
    expiration: 12,
    realm_name: 'https://idp.example.com',
    conditions: [{ claim: 'team', operator: 'EQUALS', value: 'escalation' }],
  });
  const sidGroup = await owner('POST', '/v1/serviceid_groups', { account_id: f.accountId, name: 'escalation-sid-group' });
  const zone = await owner('POST', '/v1/zones', { name: 'escalation-zone', account_id: f.accountId, addresses: [{ type: 'ipAddress', value: '192.0.2.1' }] });
  const cbrRule = await owner('POST', '/v1/rules', {
    contexts: [{ attributes: [{ name: 'networkZoneId', value: zone.body?.id }] }],
    resources: [{ attributes: [{ name: 'accountId', value: f.accountId }, { name: 'serviceName', value: 'kms' }] }],
    enforcement_mode: 'disabled',
  });
  const trustedIssuer = await owner('POST', '/v1/trusted_issuers', {
    account_id: f.accountId,
    name: 'escalation-issuer',
    type: 'oidc',
    issuer: 'https://ci.example.com',
    audiences: ['portcullis'],
    jwks_url: 'https://ci.example.com/jwks',
  });
  const identityProvider = await owner('POST', '/v1/identity_providers', {
    account_id: f.accountId,
    name: 'escalation-idp',
    protocol: 'oidc',
    issuer: 'https://idp.escalation.example.com',
    client_id: 'portcullis',
  });
  const profile = f.profiles[0]!;
  const claimRule = await owner('POST', `/v1/profiles/${profile}/rules`, {
    type: 'Profile-CR',
    cr_type: 'IKS_SA',
    conditions: [{ claim: 'namespace', operator: 'EQUALS', value: '"escalation"' }],
  });
  const link = await owner('POST', `/v1/profiles/${profile}/links`, { cr_type: 'VSI', link: { crn: `crn:v1:bluemix:public:is:us-south:a/${f.accountId}::instance:escalation` } });
  await owner('POST', `/v1/profiles/${profile}/identities/user`, { identifier: f.joiner, type: 'user' });
  const s2s = {
    type: 'authorization',
    subject: { attributes: [{ key: 'serviceName', operator: 'stringEquals', value: 'iam-groups' }] },
    resource: { attributes: [{ key: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] },
    control: { grant: { roles: [{ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:Reader' }] } },
  };
  const policyTemplate = await owner('POST', '/v1/policy_templates', { account_id: f.accountId, name: 'escalation-template', policy: s2s });
  const actionControlTemplate = await owner('POST', '/v1/action_control_templates', { account_id: f.accountId, name: 'escalation-ac' });
  const roleTemplate = await owner('POST', '/v1/role_templates', { account_id: f.accountId, name: 'escalation-role' });
  // A becomes an enterprise with one child account, so that it holds a template assignment too.
  const template = await owner('POST', '/v1/group_templates', { name: 'escalation-template', account_id: f.accountId, group: { name: 'escalation-managed' } });
  const templateId: string = template.body?.id ?? 'none';
  await owner('POST', `/v1/group_templates/${templateId}/versions/1/commit`, undefined);
  const enterprise = await owner('POST', '/v1/enterprises', { source_account_id: f.accountId, name: 'escalation-enterprise', primary_contact_iam_id: server.owner.iamId });
  const child = await owner('POST', '/v1/accounts', {
    parent: `crn:v1:bluemix:public:enterprise::a/${f.accountId}::enterprise:${enterprise.body?.enterprise_id}`,
    name: 'escalation-child',
    owner_iam_id: server.owner.iamId,
  });
  const assignment = await owner('POST', '/v1/group_assignments', { template_id: templateId, template_version: '1', target_type: 'Account', target: child.body?.account_id });
  const settingsTemplate = await owner('POST', '/v1/account_settings_templates', { name: 'escalation-settings', account_id: f.accountId, account_settings: { mfa: 'NONE' } });
  const settingsTemplateId: string = settingsTemplate.body?.id ?? 'none';
  await owner('POST', `/v1/account_settings_templates/${settingsTemplateId}/versions/1/commit`, undefined);
  const settingsAssignment = await owner('POST', '/v1/account_settings_assignments', { template_id: settingsTemplateId, template_version: 1, target_type: 'Account', target: child.body?.account_id });
  const profileTemplate = await owner('POST', '/v1/profile_templates', { name: 'escalation-profiles', account_id: f.accountId, profile: { name: 'escalation-managed-profile' } });
  const profileTemplateId: string = profileTemplate.body?.id ?? 'none';
  await owner('POST', `/v1/profile_templates/${profileTemplateId}/versions/1/commit`, undefined);
  const profileAssignment = await owner('POST', '/v1/profile_assignments', { template_id: profileTemplateId, template_version: 1, target_type: 'Account', target: child.body?.account_id });
  // A's owner holds a passkey (passkeys are the user's own: nobody else names it).
  const passkeyOptions = await owner('POST', '/signin/mfa/passkeys/options', {});
  const passkey = await owner('POST', '/signin/mfa/passkeys', { name: 'escalation-key', response: new SoftAuthenticator(f.url).register(passkeyOptions.body).response });
  return {
    passkey: (passkey.body?.id as string | undefined) ?? 'none',
    profile,
    claimRule: claimRule.body?.id ?? 'none',
    link: link.body?.id ?? 'none',
    policyTemplate: policyTemplate.body?.id ?? 'none',
    actionControlTemplate: actionControlTemplate.body?.id ?? 'none',
    roleTemplate: roleTemplate.body?.id ?? 'none',
    groupTemplate: templateId,
    groupAssignment: (assignment.body?.id as string | undefined) ?? 'none',
    settingsTemplate: settingsTemplateId,
    settingsAssignment: (settingsAssignment.body?.id as string | undefined) ?? 'none',
    profileTemplate: profileTemplateId,
    profileAssignment: (profileAssignment.body?.id as string | undefined) ?? 'none',
    policy: f.deletable[0][0]!,
    role: f.customRole.id,
    group: f.groups[0]!,
    rule: rule.body?.rule_id ?? rule.body?.id ?? 'none',
    apikey: keys.body?.apikeys?.[0]?.id ?? 'none',
    serviceId: serviceIds.body?.serviceids?.[0]?.id ?? 'none',
    serviceIdGroup: sidGroup.body?.id ?? 'none',
    zone: zone.body?.id ?? 'none',
    cbrRule: cbrRule.body?.id ?? 'none',
    trustedIssuer: trustedIssuer.body?.id ?? 'none',
    identityProvider: identityProvider.body?.id ?? 'none',
    iamId: f.joiner,
    account: f.accountId,
    resourceGroup: f.ids.rg,
    instance: f.ids.cos,
  };
}

type IdsOfA = Awaited<ReturnType<typeof idsOfA>>;

/** The id of A a path parameter stands for; undefined when the route is not about A's things. */
function valueFor(path: string, param: string, a: IdsOfA): string | undefined {
  if (param === 'account_id') return a.account;
  if (/^\/v1\/profiles\//.test(path)) {
    if (param === 'profile_id') return a.profile;
    if (param === 'rule_id') return a.claimRule;
    if (param === 'link_id') return a.link;
    if (param === 'identity_type') return 'user';
    if (param === 'identifier_id') return a.iamId;
  }
  if (param === 'iam_id') return a.iamId;
  if (param === 'access_group_id') return a.group;
  if (param === 'rule_id') return /^\/v1\/rules\//.test(path) ? a.cbrRule : a.rule;
  if (param === 'zone_id') return a.zone;
  if (/\/policy_templates\//.test(path)) return param === 'version' ? '1' : a.policyTemplate;
  if (/\/action_control_templates\//.test(path)) return param === 'version' ? '1' : a.actionControlTemplate;
  if (/\/role_templates\//.test(path)) return param === 'version' ? '1' : a.roleTemplate;
  if (/\/group_templates\//.test(path) && param === 'template_id') return a.groupTemplate;
  if (/\/group_templates\//.test(path) && param === 'version_num') return '1';
  if (/\/group_assignments\//.test(path)) return a.groupAssignment;
  if (/\/account_settings_templates\//.test(path)) return param === 'version' ? '1' : a.settingsTemplate;
  if (/\/account_settings_assignments\//.test(path)) return a.settingsAssignment;
  if (/\/profile_templates\//.test(path)) return param === 'version' ? '1' : a.profileTemplate;
  if (/\/profile_assignments\//.test(path)) return a.profileAssignment;
  if (/\/policies\//.test(path)) return a.policy;
  if (/\/roles\//.test(path)) return a.role;
  if (/\/groups\//.test(path)) return a.group;
  if (/\/apikeys\//.test(path)) return a.apikey;
  if (/\/serviceid_groups\//.test(path)) return a.serviceIdGroup;
  if (/\/serviceids\//.test(path)) return a.serviceId;
  if (/\/trusted_issuers\//.test(path)) return a.trustedIssuer;
  if (/\/identity_providers\//.test(path)) return a.identityProvider;
  if (/\/resource_groups\//.test(path)) return a.resourceGroup;
  if (/\/resource_instances\//.test(path)) return a.instance;
  if (param === 'passkey_id') return a.passkey;
  return undefined;
}

/** What the owner of A sees of A, to tell whether anything changed. */
async function stateOfA(f: Fixture, a: IdsOfA): Promise<Record<string, unknown>> {
  const paths = [
    `/v2/policies?account_id=${f.accountId}&limit=100`,
    `/v2/policies?account_id=${f.accountId}&limit=100&state=deleted`,
    `/v2/roles?account_id=${f.accountId}`,
    `/v1/policy_templates?account_id=${f.accountId}`,
    `/v1/action_control_templates?account_id=${f.accountId}`,
    `/v1/role_templates?account_id=${f.accountId}`,
    `/v1/policy_templates/${a.policyTemplate}/versions`,
    `/v2/groups?account_id=${f.accountId}&limit=100`,
    `/v2/groups/${a.group}/members?limit=100`,
    `/v2/groups/${a.group}/rules`,
    `/v1/serviceids?account_id=${f.accountId}`,
    `/v1/apikeys?account_id=${f.accountId}`,
    `/v1/trusted_issuers?account_id=${f.accountId}`,
    `/v1/identity_providers?account_id=${f.accountId}`,
    `/v1/profiles?account_id=${f.accountId}&pagesize=100`,
    `/v1/profiles/${a.profile}/rules`,
    `/v1/profiles/${a.profile}/links`,
    `/v1/profiles/${a.profile}/identities`,
    `/v2/resource_groups?account_id=${f.accountId}`,
    `/v2/resource_instances`,
    `/v1/accounts/${f.accountId}/settings/identity`,
    `/v2/accounts/${f.accountId}/users`,
    `/v1/zones?account_id=${f.accountId}`,
    `/v1/rules?account_id=${f.accountId}`,
    `/v1/group_templates?account_id=${f.accountId}`,
    `/v1/group_assignments?account_id=${f.accountId}`,
    `/v1/account_settings_templates?account_id=${f.accountId}`,
    `/v1/account_settings_assignments?account_id=${f.accountId}`,
    `/v1/profile_templates?account_id=${f.accountId}`,
    `/v1/profile_assignments?account_id=${f.accountId}`,
    '/signin/mfa/passkeys',
  ];
  const state: Record<string, unknown> = {};
  for (const path of paths) {
    const reply = await api(f.url, f.owner, 'GET', path);
    state[path] = { status: reply.status, body: reply.body };
  }
  return state;
}

const SESSION_PASSWORD = 'cross account session passphrase';

export interface CrossAccountResult {
  routes: number;
  tried: number;
  leaks: string[];
  changed: string[];
}

export async function crossAccountAttempts(server: TestServer, f: Fixture): Promise<CrossAccountResult> {
  const a = await idsOfA(server, f);
  const otherLogin = `cross-${randomBytes(4).toString('hex')}@example.com`;
  const other = await newAccount(server, otherLogin);
  const bearer = await bearerOf(f.url, other.apikey);
  const document = (await api(f.url, bearer, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, Schema>> };
  const before = await stateOfA(f, a);
  const leaks: string[] = [];
  let routes = 0;
  let tried = 0;

  for (const [template, operations] of Object.entries(document.paths)) {
    // The browser's federated sign-in steps name an IdP publicly (its login URL, metadata, ACS) to
    // anyone, by design: they act on no account's data for the caller. An account's list of them
    // (`/federation/providers`) is its sign-in page's buttons: names and login URLs, nothing secret.
    if (template.startsWith('/federation/')) continue;
    for (const [method, operation] of Object.entries(operations)) {
      const parameters: Schema[] = operation.parameters ?? [];
      const pathParams = parameters.filter((p) => p.in === 'path').map((p) => p.name as string);
      const takesAccount = parameters.some((p) => p.in === 'query' && p.name === 'account_id');
      if (pathParams.length === 0 && !takesAccount) continue;
      const values = new Map<string, string>();
      for (const name of pathParams) {
        const value = valueFor(template, name, a);
        if (value !== undefined) values.set(name, value);
      }
      if (takesAccount) values.set('account_id', a.account);
      if (values.size === 0) continue;
      routes++;
      const body = sample(operation.requestBody?.content?.['application/json']?.schema);
      const attempt = async (value: (name: string) => string): Promise<Reply> => {
        let path = template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values.has(name) ? value(name) : name));
        if (takesAccount) path += `${path.includes('?') ? '&' : '?'}account_id=${value('account_id')}`;
        tried++;
        return api(f.url, bearer, method.toUpperCase(), path, body, { 'If-Match': '*' });
      };
      const missing = new Map([...values].map(([k, v]) => [k, missingLike(v)]));
      const ofA = await attempt((name) => values.get(name)!);
      const ofNobody = await attempt((name) => missing.get(name)!);
      const route = `${method.toUpperCase()} ${template}`;
      // A listing may answer 200 (IBM lists what the caller may see): it must then show A nothing.
      const shown = (reply: Reply, names: Map<string, string>) =>
        [...names].reduce((text, [name, value]) => text.split(value).join(`<${name}>`), JSON.stringify(reply.body ?? null));
      if (ofA.status >= 500) leaks.push(`${route}: ${ofA.status}`);
      else if (ofA.status !== ofNobody.status) leaks.push(`${route}: ${ofA.status} for A's ids, ${ofNobody.status} for ids of nothing`);
      else if (ofA.status < 400 && shown(ofA, values) !== shown(ofNobody, missing)) leaks.push(`${route}: ${ofA.status} shows something of account A`);
    }
  }

  // The sign-in session routes name an account in the body, not the path: B's owner, signed in
  // with a password, lists their accounts (A must not appear) and tries to move the session into A
  // and into an account that exists nowhere (the same refusal, and the session still in B).
  const { registry } = server.server;
  const hash = await registry.signin.passwords.prepare(SESSION_PASSWORD, []);
  await registry.writer.write((w) => registry.signin.passwords.setIn(w, other.iamId, hash));
  const started = await fetch(`${f.url}/signin/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: otherLogin, password: SESSION_PASSWORD }),
  });
  const session = { cookie: (started.headers.get('set-cookie') ?? '').split(';')[0]!, 'x-csrf-token': ((await started.json()) as { csrf_token?: string }).csrf_token ?? '' };
  if (started.status !== 201) leaks.push(`POST /signin/password: ${started.status} for B's owner`);
  const listed = await api(f.url, '', 'GET', '/signin/accounts', undefined, session);
  routes += 2;
  tried += 3;
  if (listed.status !== 200 || JSON.stringify(listed.body).includes(a.account)) leaks.push(`GET /signin/accounts: ${listed.status} ${JSON.stringify(listed.body)}`);
  const intoA = await api(f.url, '', 'POST', '/signin/session/switch', { account: a.account }, session);
  const missingAccount = missingLike(a.account);
  const intoNothing = await api(f.url, '', 'POST', '/signin/session/switch', { account: missingAccount }, session);
  if (intoA.status !== 400 || intoA.status !== intoNothing.status) leaks.push(`POST /signin/session/switch: ${intoA.status} into A, ${intoNothing.status} into nothing`);
  else if (JSON.stringify(intoA.body.errors).split(a.account).join('<account>') !== JSON.stringify(intoNothing.body.errors).split(missingAccount).join('<account>')) {
    leaks.push('POST /signin/session/switch: a different refusal for A than for an account of nobody');
  }

  const after = await stateOfA(f, a);
  const changed = Object.keys(before).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  return { routes, tried, leaks, changed };
}
