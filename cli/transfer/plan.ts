import type { Api } from '../client/api.js';
import { CliError } from '../client/errors.js';
import { attrsKey, localCrn, subjectLabel, type AccountDoc, type Attrs, type ProfileIdentityDoc, type SubjectRef } from './document.js';
import { CUSTOM, policyKey, type Snapshot } from './snapshot.js';

/**
 * What `portcullis import` changes to make an account hold what a document describes. Import
 * only adds and updates (it never deletes): every item of the document is matched by name (policies
 * by subject and resource) and created when missing, updated when different, left alone when
 * equal, so applying a document twice changes nothing the second time.
 */
export interface Step {
  action: 'create' | 'update' | 'add' | 'invite';
  what: string;
  run(): Promise<void>;
}

export interface Plan {
  steps: Step[];
  unchanged: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sorted = (values: readonly string[] | undefined) => [...(values ?? [])].sort();

export function plan(api: Api, desired: AccountDoc, current: Snapshot): Plan {
  const steps: Step[] = [];
  let unchanged = 0;
  const step = (action: Step['action'], what: string, run: () => Promise<unknown>) => steps.push({ action, what, run: async () => void (await run()) });
  const { ids } = current;
  const accountId = api.accountId;
  const problems: string[] = [];

  // Settings: one update of the fields that differ.
  const changed = Object.entries(desired.settings ?? {}).filter(([field, value]) => current.doc.settings?.[field] !== value);
  unchanged += Object.keys(desired.settings ?? {}).length - changed.length;
  if (changed.length) {
    const camel = (f: string) => f.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    step('update', `account settings (${changed.map(([f, v]) => `${f}: ${current.doc.settings?.[f] ?? '-'} → ${v}`).join(', ')})`, () =>
      api.identity.updateAccountSettings({ accountId, ifMatch: ids.settingsEtag, ...Object.fromEntries(changed.map(([f, v]) => [camel(f), v])) }),
    );
  }

  // Service IDs by name.
  const currentSids = new Map((current.doc.service_ids ?? []).map((s) => [s.name, s]));
  for (const s of desired.service_ids ?? []) {
    const have = currentSids.get(s.name);
    if (!have) {
      step('create', `service ID ${s.name}`, async () => {
        const { result } = await api.identity.createServiceId({ accountId, name: s.name, ...(s.description && { description: s.description }), entityLock: s.locked ? 'true' : 'false' });
        ids.serviceIds.set(s.name, { id: result.id, iamId: result.iam_id, etag: result.entity_tag ?? '*' });
      });
      continue;
    }
    const known = ids.serviceIds.get(s.name)!;
    if ((have.description ?? '') !== (s.description ?? '')) {
      step('update', `service ID ${s.name} (description)`, () => api.identity.updateServiceId({ id: known.id, ifMatch: known.etag, description: s.description ?? '' }));
    } else if (Boolean(have.locked) === Boolean(s.locked)) unchanged++;
    if (Boolean(have.locked) !== Boolean(s.locked)) {
      step('update', `service ID ${s.name} (${s.locked ? 'lock' : 'unlock'})`, () => (s.locked ? api.identity.lockServiceId({ id: known.id }) : api.identity.unlockServiceId({ id: known.id })));
    }
  }

  // Users by login: the missing are invited (a PENDING user until they accept).
  for (const login of desired.users ?? []) {
    if (ids.users.has(login.toLowerCase())) {
      unchanged++;
      continue;
    }
    step('invite', `user ${login}`, async () => {
      const { result } = await api.users.inviteUsers({ accountId, users: [{ email: login, account_role: 'Member' }] });
      const invited = result.resources?.[0];
      if (!invited?.id) throw new CliError(`Inviting ${login} invited nobody.`);
      ids.users.set(login.toLowerCase(), invited.id);
    });
  }

  // Custom roles by name.
  const currentRoles = new Map((current.doc.custom_roles ?? []).map((r) => [r.name, r]));
  for (const r of desired.custom_roles ?? []) {
    const have = currentRoles.get(r.name);
    if (!have) {
      step('create', `custom role ${r.name} (${r.service_name})`, async () => {
        const { result } = await api.policies.createRole({ name: r.name, displayName: r.display_name, serviceName: r.service_name, accountId, actions: r.actions, ...(r.description && { description: r.description }) });
        ids.customRoles.set(r.name, { id: result.id!, crn: result.crn! });
      });
    } else if (have.service_name !== r.service_name) {
      problems.push(`custom role ${r.name} exists for service ${have.service_name}, the document has it for ${r.service_name}`);
    } else if (have.display_name !== r.display_name || (have.description ?? '') !== (r.description ?? '') || !same(sorted(have.actions), sorted(r.actions))) {
      step('update', `custom role ${r.name}`, async () => {
        const role = ids.customRoles.get(r.name)!;
        const { headers } = await api.policies.getRole({ roleId: role.id });
        await api.policies.replaceRole({ roleId: role.id, ifMatch: (headers as Record<string, string>).etag ?? '*', displayName: r.display_name, actions: r.actions, ...(r.description && { description: r.description }) });
      });
    } else unchanged++;
  }

  // Access groups by name, then their members and rules.
  const currentGroups = new Map((current.doc.access_groups ?? []).map((g) => [g.name.toLowerCase(), g]));
  const groupId = (name: string) => {
    const id = ids.groups.get(name.toLowerCase());
    if (!id) throw new CliError(`Access group ${name} does not exist.`);
    return id;
  };
  for (const g of desired.access_groups ?? []) {
    const have = currentGroups.get(g.name.toLowerCase());
    if (!have) {
      step('create', `access group ${g.name}`, async () => {
        const { result } = await api.groups.createAccessGroup({ accountId, name: g.name, ...(g.description && { description: g.description }) });
        ids.groups.set(g.name.toLowerCase(), result.id!);
      });
    } else if ((have.description ?? '') !== (g.description ?? '')) {
      step('update', `access group ${g.name} (description)`, async () => {
        const { headers } = await api.groups.getAccessGroup({ accessGroupId: groupId(g.name) });
        await api.groups.updateAccessGroup({ accessGroupId: groupId(g.name), ifMatch: (headers as Record<string, string>).etag ?? '*', description: g.description ?? '' });
      });
    } else unchanged++;

    const haveUsers = new Set((have?.users ?? []).map((u) => u.toLowerCase()));
    for (const login of g.users ?? []) {
      if (haveUsers.has(login.toLowerCase())) unchanged++;
      else
        step('add', `user ${login} to access group ${g.name}`, () => {
          const iamId = ids.users.get(login.toLowerCase());
          if (!iamId) throw new CliError(`User ${login} is not in the account (list them under users: to invite them).`);
          return api.groups.addMembersToAccessGroup({ accessGroupId: groupId(g.name), members: [{ iam_id: iamId, type: 'user' }] });
        });
    }
    const haveSids = new Set(have?.service_ids ?? []);
    for (const name of g.service_ids ?? []) {
      if (haveSids.has(name)) unchanged++;
      else
        step('add', `service ID ${name} to access group ${g.name}`, () => {
          const sid = ids.serviceIds.get(name);
          if (!sid) throw new CliError(`Service ID ${name} does not exist (list it under service_ids:).`);
          return api.groups.addMembersToAccessGroup({ accessGroupId: groupId(g.name), members: [{ iam_id: sid.iamId, type: 'service' }] });
        });
    }
    const haveRules = new Map((have?.rules ?? []).map((r) => [r.name, r]));
    for (const r of g.rules ?? []) {
      const existing = haveRules.get(r.name);
      const body = { name: r.name, realmName: r.realm_name, expiration: r.expiration, conditions: r.conditions };
      if (!existing) step('create', `rule ${r.name} of access group ${g.name}`, () => api.groups.addAccessGroupRule({ accessGroupId: groupId(g.name), ...body }));
      else if (!same(existing, r))
        step('update', `rule ${r.name} of access group ${g.name}`, async () => {
          const ruleId = ids.rules.get(g.name.toLowerCase())!.get(r.name)!;
          const { headers } = await api.groups.getAccessGroupRule({ accessGroupId: groupId(g.name), ruleId });
          await api.groups.replaceAccessGroupRule({ accessGroupId: groupId(g.name), ruleId, ifMatch: (headers as Record<string, string>).etag ?? '*', ...body });
        });
      else unchanged++;
    }
  }

  // Trusted profiles by name, then their claim rules (by name), links (by CRN: a link is created
  // or left alone, never changed) and identities (by type and identifier).
  const currentProfiles = new Map((current.doc.trusted_profiles ?? []).map((p) => [p.name, p]));
  const profileId = (name: string) => {
    const known = ids.profiles.get(name);
    if (!known) throw new CliError(`Trusted profile ${name} does not exist.`);
    return known.id;
  };
  const identityIamId = (i: ProfileIdentityDoc) => {
    if (i.type === 'crn') return localCrn(i.identifier, accountId);
    const iamId = i.type === 'user' ? ids.users.get(i.identifier.toLowerCase()) : ids.serviceIds.get(i.identifier)?.iamId;
    if (!iamId) throw new CliError(`The ${i.type === 'user' ? 'user' : 'service ID'} ${i.identifier} does not exist.`);
    return iamId;
  };
  for (const p of desired.trusted_profiles ?? []) {
    const have = currentProfiles.get(p.name);
    if (!have) {
      step('create', `trusted profile ${p.name}`, async () => {
        const { result } = await api.identity.createProfile({ accountId, name: p.name, ...(p.description && { description: p.description }) });
        ids.profiles.set(p.name, { id: result.id, iamId: result.iam_id, etag: result.entity_tag ?? '*' });
      });
    } else if ((have.description ?? '') !== (p.description ?? '')) {
      step('update', `trusted profile ${p.name} (description)`, () => api.identity.updateProfile({ profileId: profileId(p.name), ifMatch: ids.profiles.get(p.name)!.etag, description: p.description ?? '' }));
    } else unchanged++;

    const haveRules = new Map((have?.rules ?? []).map((r) => [r.name, r]));
    for (const r of p.rules ?? []) {
      const existing = haveRules.get(r.name);
      const body = () => ({
        profileId: profileId(p.name),
        name: r.name,
        type: r.type,
        conditions: r.conditions,
        ...(r.realm_name && { realmName: r.realm_name }),
        ...(r.cr_type && { crType: r.cr_type }),
        ...(r.expiration !== undefined && { expiration: r.expiration }),
      });
      if (!existing) step('create', `rule ${r.name} of trusted profile ${p.name}`, () => api.identity.createClaimRule(body()));
      else if (!same(existing, r))
        step('update', `rule ${r.name} of trusted profile ${p.name}`, () => {
          const rule = ids.profileRules.get(p.name)!.get(r.name)!;
          return api.identity.updateClaimRule({ ...body(), ruleId: rule.id, ifMatch: rule.etag });
        });
      else unchanged++;
    }
    const haveLinks = new Set((have?.links ?? []).map((l) => JSON.stringify([l.crn, l.namespace, l.component_name])));
    for (const l of p.links ?? []) {
      if (haveLinks.has(JSON.stringify([l.crn, l.namespace, l.component_name]))) unchanged++;
      else
        step('create', `link of trusted profile ${p.name} to ${l.crn}`, () =>
          api.identity.createLink({
            profileId: profileId(p.name),
            crType: l.cr_type,
            link: { crn: localCrn(l.crn, accountId), ...(l.namespace && { namespace: l.namespace }), ...(l.component_name && { name: l.component_name }) },
            ...(l.name && { name: l.name }),
          }),
        );
    }
    const haveIdentities = new Map((have?.identities ?? []).map((i) => [`${i.type} ${i.identifier}`, i]));
    for (const i of p.identities ?? []) {
      const existing = haveIdentities.get(`${i.type} ${i.identifier}`);
      if (existing && same(existing, i)) {
        unchanged++;
        continue;
      }
      step(existing ? 'update' : 'add', `${i.type} ${i.identifier} as an identity of trusted profile ${p.name}`, () => {
        const identifier = identityIamId(i);
        return api.identity.setProfileIdentity({
          profileId: profileId(p.name),
          identityType: i.type,
          identifier,
          type: i.type,
          ...(i.accounts && { accounts: i.accounts }),
          ...(i.description !== undefined && { description: i.description }),
        });
      });
    }
  }

  // Policies by subject and resource; their roles are what may differ.
  const attributes = (attrs: Attrs) => {
    const out: { name: string; value: string; operator?: string }[] = [{ name: 'accountId', value: accountId }];
    for (const [name, v] of Object.entries(attrs)) {
      if (name === 'resourceGroupName') {
        const id = ids.resourceGroups.get(typeof v === 'string' ? v : v.value);
        if (!id) throw new CliError(`Resource group ${typeof v === 'string' ? v : v.value} does not exist in account ${accountId}.`);
        out.push({ name: 'resourceGroupId', value: id });
      } else out.push(typeof v === 'string' ? { name, value: v } : { name, value: v.value, operator: v.operator });
    }
    return out;
  };
  const scopes = [...(desired.policies ?? []).map((p) => p.resource), ...(desired.authorization_policies ?? []).flatMap((p) => [p.source, p.target])];
  for (const attrs of scopes) {
    const name = attrs.resourceGroupName;
    if (name !== undefined && !ids.resourceGroups.has(typeof name === 'string' ? name : name.value)) problems.push(`resource group ${typeof name === 'string' ? name : name.value} does not exist in account ${accountId}`);
  }
  const roles = (refs: string[]) =>
    refs.map((ref) => {
      if (!ref.startsWith(CUSTOM)) return { role_id: ref };
      const role = ids.customRoles.get(ref.slice(CUSTOM.length));
      if (!role) throw new CliError(`Custom role ${ref.slice(CUSTOM.length)} does not exist (list it under custom_roles:).`);
      return { role_id: role.crn };
    });
  for (const ref of [...(desired.policies ?? []), ...(desired.authorization_policies ?? [])].flatMap((p) => p.roles)) {
    if (ref.startsWith(CUSTOM) && !ids.customRoles.has(ref.slice(CUSTOM.length)) && !(desired.custom_roles ?? []).some((r) => r.name === ref.slice(CUSTOM.length))) {
      problems.push(`role ${ref} is neither in the account nor under custom_roles:`);
    }
  }
  const subjectAttribute = (s: SubjectRef) => {
    if ('access_group' in s) return { name: 'access_group_id', value: groupId(s.access_group) };
    const iamId = 'user' in s ? ids.users.get(s.user.toLowerCase()) : 'trusted_profile' in s ? ids.profiles.get(s.trusted_profile)?.iamId : ids.serviceIds.get(s.service_id)?.iamId;
    if (!iamId) throw new CliError(`The ${subjectLabel(s)} does not exist.`);
    return { name: 'iam_id', value: iamId };
  };
  const currentPolicies = new Map([...(current.doc.policies ?? [])].map((p) => [policyKey(p.subject, p.resource), p]));
  for (const p of desired.policies ?? []) {
    const key = policyKey(p.subject, p.resource);
    const have = currentPolicies.get(key);
    const scope = `${subjectLabel(p.subject)} on ${attrsKey(p.resource)}`;
    const body = () => ({ type: 'access', subjects: [{ attributes: [subjectAttribute(p.subject)] }], roles: roles(p.roles), resources: [{ attributes: attributes(p.resource) }], ...(p.description && { description: p.description }) });
    if (!have) step('create', `policy of ${scope}: ${p.roles.join(', ')}`, () => api.policies.createPolicy(body()));
    else if (!same(sorted(have.roles), sorted(p.roles)) || (have.description ?? '') !== (p.description ?? ''))
      step('update', `policy of ${scope}: ${have.roles.join(', ')} → ${p.roles.join(', ')}`, async () => {
        const id = ids.policies.get(key)!;
        const { headers } = await api.policies.getPolicy({ policyId: id });
        await api.policies.replacePolicy({ policyId: id, ifMatch: (headers as Record<string, string>).etag ?? '*', ...body() });
      });
    else unchanged++;
  }
  const currentAuthorizations = new Map((current.doc.authorization_policies ?? []).map((p) => [policyKey({ source: p.source }, p.target), p]));
  for (const p of desired.authorization_policies ?? []) {
    const key = policyKey({ source: p.source }, p.target);
    const have = currentAuthorizations.get(key);
    const body = () => ({ type: 'authorization', subjects: [{ attributes: attributes(p.source) }], roles: roles(p.roles), resources: [{ attributes: attributes(p.target) }] });
    const scope = `${attrsKey(p.source)} → ${attrsKey(p.target)}`;
    if (!have) step('create', `authorization policy ${scope}: ${p.roles.join(', ')}`, () => api.policies.createPolicy(body()));
    else if (!same(sorted(have.roles), sorted(p.roles)))
      step('update', `authorization policy ${scope}: ${p.roles.join(', ')}`, async () => {
        const id = ids.policies.get(key)!;
        const { headers } = await api.policies.getPolicy({ policyId: id });
        await api.policies.replacePolicy({ policyId: id, ifMatch: (headers as Record<string, string>).etag ?? '*', ...body() });
      });
    else unchanged++;
  }

  // Names the document uses but neither lists nor the account has: refused before anything is written.
  const sidNames = new Set([...ids.serviceIds.keys(), ...(desired.service_ids ?? []).map((s) => s.name)]);
  const logins = new Set([...ids.users.keys(), ...(desired.users ?? []).map((u) => u.toLowerCase())]);
  const groupNames = new Set([...ids.groups.keys(), ...(desired.access_groups ?? []).map((g) => g.name.toLowerCase())]);
  const profileNames = new Set([...ids.profiles.keys(), ...(desired.trusted_profiles ?? []).map((p) => p.name)]);
  for (const p of desired.trusted_profiles ?? []) {
    for (const i of p.identities ?? []) {
      if (i.type === 'serviceid' && !sidNames.has(i.identifier)) problems.push(`trusted profile ${p.name}: service ID ${i.identifier} is neither in the account nor under service_ids:`);
      if (i.type === 'user' && !logins.has(i.identifier.toLowerCase())) problems.push(`trusted profile ${p.name}: user ${i.identifier} is neither in the account nor under users:`);
    }
  }
  for (const g of desired.access_groups ?? []) {
    for (const s of g.service_ids ?? []) if (!sidNames.has(s)) problems.push(`access group ${g.name}: service ID ${s} is neither in the account nor under service_ids:`);
    for (const u of g.users ?? []) if (!logins.has(u.toLowerCase())) problems.push(`access group ${g.name}: user ${u} is neither in the account nor under users:`);
  }
  for (const p of desired.policies ?? []) {
    const s = p.subject;
    const known =
      'user' in s ? logins.has(s.user.toLowerCase())
      : 'service_id' in s ? sidNames.has(s.service_id)
      : 'trusted_profile' in s ? profileNames.has(s.trusted_profile)
      : groupNames.has(s.access_group.toLowerCase());
    if (!known) problems.push(`a policy's ${subjectLabel(s)} is neither in the account nor in the document`);
  }
  if (problems.length) throw new CliError(`The document cannot be applied to account ${accountId}; nothing was changed:\n  ${[...new Set(problems)].join('\n  ')}`);
  return { steps, unchanged };
}
