import type IamPolicyManagementV1 from '@ibm-cloud/platform-services/iam-policy-management/v1.js';
import type { Api } from '../client/api.js';
import { SETTING_FIELDS } from '../iam/account-settings.js';
import { members } from '../iam/access-groups.js';
import { accessGroups, allPolicies, serviceIds, users } from '../iam/resolve.js';
import { profiles } from '../iam/trusted-profiles.js';
import { portableCrn, type AccountDoc, type Attrs, type AuthorizationDoc, type GroupDoc, type PolicyDoc, type ProfileDoc, type SubjectRef } from './document.js';

/**
 * An account read through the API: its portable document (what export writes, and what import
 * compares against) and the ids behind each name (what import needs to change things).
 */
export interface Ids {
  serviceIds: Map<string, { id: string; iamId: string; etag: string }>;
  /** login (lower case) → IAM ID */
  users: Map<string, string>;
  /** name (lower case) → id */
  groups: Map<string, string>;
  /** name → id and CRN */
  customRoles: Map<string, { id: string; crn: string }>;
  /** resource-group name → id */
  resourceGroups: Map<string, string>;
  /** policy match key → id (see policyKey) */
  policies: Map<string, string>;
  /** group name (lower case) → rule name → id */
  rules: Map<string, Map<string, string>>;
  /** trusted profile name → id, IAM ID and ETag */
  profiles: Map<string, { id: string; iamId: string; etag: string }>;
  /** trusted profile name → claim rule name → id and ETag */
  profileRules: Map<string, Map<string, { id: string; etag: string }>>;
  settingsEtag: string;
}

export interface Snapshot {
  doc: AccountDoc;
  ids: Ids;
  /** Policies that could not be described by names (e.g. of a subject that is not an identity of the account). */
  skipped: string[];
}

type Policy = IamPolicyManagementV1.Policy;

export const CUSTOM = 'custom:';
const DEFAULT_OPERATOR = 'stringEquals';

/** The key under which a policy is matched between a document and an account. */
export const policyKey = (subject: SubjectRef | { source: Attrs }, resource: Attrs): string => JSON.stringify([subject, Object.keys(resource).sort().map((k) => [k, resource[k]])]);

export async function snapshot(api: Api): Promise<Snapshot> {
  const accountId = api.accountId;
  const [settings, sids, people, groups, roles, groupsOfResources, access, authorization, tps] = await Promise.all([
    api.identity.getAccountSettings({ accountId }),
    serviceIds(api),
    users(api),
    accessGroups(api),
    api.policies.listRoles({ accountId }),
    api.resources.listResourceGroups({ accountId }),
    allPolicies(api, { type: 'access' }),
    allPolicies(api, { type: 'authorization' }),
    profiles(api),
  ]);
  const skipped: string[] = [];
  const settingsRecord = settings.result as unknown as Record<string, unknown>;
  const customRoles = (roles.result.custom_roles ?? []).filter((r) => r.account_id === undefined || r.account_id === accountId);
  const ids: Ids = {
    serviceIds: new Map(sids.map((s) => [s.name, { id: s.id, iamId: s.iam_id, etag: s.entity_tag ?? '*' }])),
    users: new Map(people.filter((u) => u.user_id && u.iam_id).map((u) => [u.user_id!.toLowerCase(), u.iam_id!])),
    groups: new Map(groups.filter((g) => g.name && g.id).map((g) => [g.name!.toLowerCase(), g.id!])),
    customRoles: new Map(customRoles.map((r) => [r.name, { id: r.id!, crn: r.crn! }])),
    resourceGroups: new Map((groupsOfResources.result.resources ?? []).map((g) => [g.name!, g.id!])),
    policies: new Map(),
    rules: new Map(),
    profiles: new Map(tps.map((p) => [p.name, { id: p.id, iamId: p.iam_id, etag: p.entity_tag ?? '*' }])),
    profileRules: new Map(),
    settingsEtag: settings.result.entity_tag ?? '*',
  };

  const loginOf = new Map(people.map((u) => [u.iam_id, u.user_id]));
  const serviceIdOf = new Map(sids.map((s) => [s.iam_id, s.name]));
  const groupOf = new Map(groups.map((g) => [g.id, g.name]));
  const profileOf = new Map(tps.map((p) => [p.iam_id, p.name]));
  const customOf = new Map(customRoles.map((r) => [r.crn, r.name]));
  const resourceGroupOf = new Map([...ids.resourceGroups].map(([name, id]) => [id, name]));

  const roleRef = (roleId: string) => (customOf.has(roleId) ? `${CUSTOM}${customOf.get(roleId)}` : roleId);
  const attrsOf = (p: Policy, part: 'resources' | 'subjects'): Attrs => {
    const out: Attrs = {};
    for (const a of (p[part]?.[0]?.attributes ?? []) as { name: string; value: string; operator?: string }[]) {
      if (a.name === 'accountId') continue;
      if (a.name === 'resourceGroupId' && resourceGroupOf.has(a.value)) out.resourceGroupName = resourceGroupOf.get(a.value)!;
      else out[a.name] = a.operator && a.operator !== DEFAULT_OPERATOR ? { value: a.value, operator: a.operator } : a.value;
    }
    return out;
  };
  const subjectOf = (p: Policy): SubjectRef | undefined => {
    const a = p.subjects?.[0]?.attributes?.[0];
    if (a?.name === 'access_group_id' && groupOf.get(a.value)) return { access_group: groupOf.get(a.value)! };
    if (a?.name === 'iam_id' && serviceIdOf.get(a.value)) return { service_id: serviceIdOf.get(a.value)! };
    if (a?.name === 'iam_id' && loginOf.get(a.value)) return { user: loginOf.get(a.value)! };
    if (a?.name === 'iam_id' && profileOf.get(a.value)) return { trusted_profile: profileOf.get(a.value)! };
    return undefined;
  };

  const policies: PolicyDoc[] = [];
  for (const p of access) {
    const subject = subjectOf(p);
    if (!subject) {
      skipped.push(`policy ${p.id}: its subject is not a user, service ID, trusted profile or access group of the account`);
      continue;
    }
    const resource = attrsOf(p, 'resources');
    ids.policies.set(policyKey(subject, resource), p.id!);
    policies.push({ subject, roles: (p.roles ?? []).map((r) => roleRef(r.role_id)).sort(), resource, ...(p.description && { description: p.description }) });
  }
  const authorizationPolicies: AuthorizationDoc[] = authorization.map((p) => {
    const source = attrsOf(p, 'subjects');
    const target = attrsOf(p, 'resources');
    ids.policies.set(policyKey({ source }, target), p.id!);
    return { source, target, roles: (p.roles ?? []).map((r) => roleRef(r.role_id)).sort() };
  });

  const accessGroupDocs: GroupDoc[] = await Promise.all(
    groups
      .filter((g) => g.name && g.id && g.name !== 'Public Access')
      .map(async (g) => {
        const [all, rules] = await Promise.all([members(api, g.id!), api.groups.listAccessGroupRules({ accessGroupId: g.id! })]);
        const statics = all.filter((m) => (m.membership_type ?? 'static') === 'static');
        ids.rules.set(g.name!.toLowerCase(), new Map((rules.result.rules ?? []).map((r) => [r.name!, r.id!])));
        const userLogins = statics.filter((m) => m.type === 'user').map((m) => loginOf.get(m.iam_id!) ?? m.iam_id!).sort();
        const serviceNames = statics.filter((m) => m.type === 'service').map((m) => serviceIdOf.get(m.iam_id!) ?? m.iam_id!).sort();
        return {
          name: g.name!,
          ...(g.description && { description: g.description }),
          ...(userLogins.length && { users: userLogins }),
          ...(serviceNames.length && { service_ids: serviceNames }),
          ...((rules.result.rules ?? []).length && {
            rules: (rules.result.rules ?? []).map((r) => ({ name: r.name!, realm_name: r.realm_name!, expiration: r.expiration!, conditions: (r.conditions ?? []).map((c) => ({ claim: c.claim, operator: c.operator, value: c.value })) })),
          }),
        };
      }),
  );

  const profileDocs: ProfileDoc[] = await Promise.all(
    tps.map(async (p) => {
      const [rules, links, identities] = await Promise.all([
        api.identity.listClaimRules({ profileId: p.id }),
        api.identity.listLinks({ profileId: p.id }),
        api.identity.getProfileIdentities({ profileId: p.id }),
      ]);
      // An unnamed rule is matched by its type and conditions: it is named after them.
      const ruleName = (r: (typeof rules.result.rules)[number]) => r.name ?? `${r.type} ${r.conditions.map((c) => `${c.claim} ${c.operator} ${c.value}`).join('; ')}`;
      ids.profileRules.set(p.name, new Map(rules.result.rules.map((r) => [ruleName(r), { id: r.id, etag: r.entity_tag ?? '*' }])));
      const identifierOf = (i: { type: string; identifier: string; iam_id: string }) =>
        i.type === 'user' ? (loginOf.get(i.iam_id) ?? i.identifier) : i.type === 'serviceid' ? (serviceIdOf.get(i.iam_id) ?? i.identifier) : portableCrn(i.identifier, accountId);
      const ruleDocs = rules.result.rules.map((r) => ({
        name: ruleName(r),
        type: r.type,
        ...(r.realm_name && { realm_name: r.realm_name }),
        ...(r.cr_type && { cr_type: r.cr_type }),
        ...(r.type === 'Profile-SAML' && { expiration: r.expiration }),
        conditions: r.conditions.map((c) => ({ claim: c.claim, operator: c.operator, value: c.value })),
      }));
      const linkDocs = links.result.links.map((l) => ({
        ...(l.name && { name: l.name }),
        cr_type: l.cr_type,
        crn: portableCrn(l.link.crn ?? '', accountId),
        ...(l.link.namespace && { namespace: l.link.namespace }),
        ...(l.link.name && { component_name: l.link.name }),
      }));
      const identityDocs = (identities.result.identities ?? []).map((i) => ({
        type: i.type as 'user' | 'serviceid' | 'crn',
        identifier: identifierOf(i),
        ...(i.accounts?.length && { accounts: [...i.accounts].sort() }),
        ...(i.description && { description: i.description }),
      }));
      return {
        name: p.name,
        ...(p.description && { description: p.description }),
        ...(ruleDocs.length && { rules: ruleDocs.sort((a, b) => a.name.localeCompare(b.name)) }),
        ...(linkDocs.length && { links: linkDocs.sort((a, b) => a.crn.localeCompare(b.crn)) }),
        ...(identityDocs.length && { identities: identityDocs.sort((a, b) => `${a.type} ${a.identifier}`.localeCompare(`${b.type} ${b.identifier}`)) }),
      };
    }),
  );

  const doc: AccountDoc = {
    portcullis: 'account/v1',
    account: accountId,
    settings: Object.fromEntries(SETTING_FIELDS.filter((f) => typeof settingsRecord[f] === 'string').map((f) => [f, settingsRecord[f] as string])),
    users: people.map((u) => u.user_id!).filter(Boolean).sort(),
    service_ids: sids
      .map((s) => ({ name: s.name, ...(s.description && { description: s.description }), ...(s.locked && { locked: true }) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    custom_roles: customRoles
      .map((r) => ({ name: r.name, display_name: r.display_name, service_name: r.service_name!, ...(r.description && { description: r.description }), actions: [...r.actions].sort() }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    access_groups: accessGroupDocs.sort((a, b) => a.name.localeCompare(b.name)),
    trusted_profiles: profileDocs.sort((a, b) => a.name.localeCompare(b.name)),
    policies: policies.sort((a, b) => policyKey(a.subject, a.resource).localeCompare(policyKey(b.subject, b.resource))),
    authorization_policies: authorizationPolicies.sort((a, b) => policyKey({ source: a.source }, a.target).localeCompare(policyKey({ source: b.source }, b.target))),
  };
  return { doc, ids, skipped };
}
