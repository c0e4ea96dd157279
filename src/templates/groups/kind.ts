import { randomUUID } from 'node:crypto';
import type { AccessGroupsStore } from '../../access-groups/store.js';
import { checkRuleInput } from '../../access-groups/rules.js';
import type { IdentityDirectory } from '../../identity/directory.js';
import { DomainError, invalid } from '../../kernel/errors.js';
import { nextTag } from '../../kernel/etag.js';
import type { Write } from '../../store/unit-of-work.js';
import type { ApplyRun, TemplateKind } from '../managed/kind.js';
import type { TemplateStore } from '../managed/store.js';
import type { ManagedResource } from '../managed/types.js';
import type { GroupTemplateBody, PolicyTemplateApplier, ResourceEntry } from './types.js';

/** Static members a template may name, as one access-group batch allows. */
const MAX_MEMBERS = 50;
const MAX_RULES = 5;

const USER_ID = /^(IBMid|iam)-[A-Za-z0-9_.-]{1,128}$/;
const SERVICE_IAM_ID = /^iam-ServiceId-[A-Za-z0-9-]{1,128}$/;

export interface GroupKindDeps {
  groups: AccessGroupsStore;
  directory: IdentityDirectory;
  templates: TemplateStore;
  /** The policy template domain, once the registry has it. */
  policyTemplates?: PolicyTemplateApplier;
}

/** Checks an access-group template definition; 400 naming the first bad field. */
export function checkGroupBody(body: GroupTemplateBody): GroupTemplateBody {
  const { group } = body;
  const name = group.name.trim();
  if (name === '' || name.length > 100) throw invalid('group.name must be 1 to 100 characters.');
  if (name.toLowerCase() === 'public access') throw invalid('group.name "Public Access" is reserved.');
  if ((group.description ?? '').length > 250) throw invalid('group.description is limited to 250 characters.');
  const users = group.members?.users ?? [];
  const services = group.members?.services ?? [];
  if (users.length + services.length > MAX_MEMBERS) throw invalid(`group.members may name at most ${MAX_MEMBERS} identities.`);
  users.forEach((id, i) => {
    if (!USER_ID.test(id)) throw invalid(`group.members.users[${i}] "${id}" is not a user IAM id.`);
  });
  services.forEach((id, i) => {
    if (!SERVICE_IAM_ID.test(id)) throw invalid(`group.members.services[${i}] "${id}" is not a service ID IAM id.`);
  });
  const rules = group.assertions?.rules ?? [];
  if (rules.length > MAX_RULES) throw invalid(`group.assertions.rules may hold at most ${MAX_RULES} rules.`);
  rules.forEach((rule, i) => {
    if (rule.realm_name === undefined || rule.expiration === undefined || rule.conditions === undefined) {
      throw invalid(`group.assertions.rules[${i}] needs realm_name, expiration and conditions.`);
    }
    try {
      checkRuleInput({
        expiration: rule.expiration,
        realmName: rule.realm_name,
        conditions: rule.conditions.map((c) => ({ claim: c.claim ?? '', operator: c.operator ?? '', value: c.value ?? '' })),
        ...(rule.name !== undefined ? { name: rule.name } : {}),
      });
    } catch (error) {
      if (error instanceof DomainError) throw invalid(`group.assertions.rules[${i}]: ${error.message}`);
      throw error;
    }
  });
  body.policy_template_references.forEach((ref, i) => {
    if (!ref.id || !ref.version) throw invalid(`policy_template_references[${i}] needs id and version.`);
  });
  return { ...body, group: { ...group, name } };
}

const entry = (resource: string, operation: string, status: ResourceEntry['status'], error = '', name?: string): ResourceEntry => ({
  id: resource,
  ...(name !== undefined ? { name } : {}),
  resource,
  error,
  operation,
  status,
});

/**
 * Access-group templates as a plug-in of the template mechanics: an assignment creates (or brings
 * up to date) one access group per child account, with the template's static members, its
 * dynamic-membership rules and the policies of its policy templates. The group is enterprise-managed:
 * access-groups operations in the child account refuse what its action controls do not allow.
 */
export function groupTemplateKind(deps: GroupKindDeps): TemplateKind<GroupTemplateBody> {
  const { groups, directory, templates } = deps;

  async function applyMembers(w: Write, run: ApplyRun<GroupTemplateBody>, groupId: string, previous?: GroupTemplateBody) {
    const { accountId } = run;
    const members = run.version.body.group.members;
    const wanted = [...(members?.users ?? []).map((id) => ({ id, type: 'user' as const })), ...(members?.services ?? []).map((id) => ({ id, type: 'service' as const }))];
    const entries: ResourceEntry[] = [];
    const keep = new Set(wanted.map((m) => m.id));
    const before = [...(previous?.group.members?.users ?? []), ...(previous?.group.members?.services ?? [])];
    for (const iamId of before.filter((id) => !keep.has(id))) {
      if (await groups.deleteMember(w.trx, accountId, groupId, iamId)) {
        w.changed({ entity: 'group_member', entityId: `${groupId}/${iamId}`, accountId, op: 'delete' });
      }
      entries.push(entry(iamId, 'remove', 'succeeded'));
    }
    for (const member of wanted) {
      const identity = await directory.identityOf(accountId, member.id, w.trx);
      const expected = member.type === 'user' ? 'user' : 'serviceid';
      if (identity?.kind !== expected) {
        entries.push(entry(member.id, 'add', 'failed', `${member.id} is not an identity of account ${accountId}.`));
        continue;
      }
      const present = await groups.getStaticMember(accountId, groupId, member.id, w.trx);
      if (!present) {
        await groups.insertMember(w.trx, { account_id: accountId, group_id: groupId, iam_id: member.id, type: member.type, created_at: run.at, created_by_id: run.by });
        w.changed({ entity: 'group_member', entityId: `${groupId}/${member.id}`, accountId, op: 'create' });
      }
      entries.push(entry(member.id, present ? 'update' : 'add', 'succeeded'));
    }
    return entries;
  }

  /** Replaces the group's rules with the template's (memberships they granted lapse until the next sign-in). */
  async function applyRules(w: Write, run: ApplyRun<GroupTemplateBody>, groupId: string) {
    const { accountId } = run;
    for (const rule of await groups.listRules(accountId, groupId, w.trx)) {
      await groups.deleteRule(w.trx, rule.id);
      w.changed({ entity: 'group_rule', entityId: rule.id, accountId, op: 'delete' });
    }
    for (const member of await groups.dynamicMembersOfGroup(w.trx, accountId, groupId)) {
      await groups.deleteDynamicMember(w.trx, accountId, groupId, member.iam_id);
      w.changed({ entity: 'group_member', entityId: `${groupId}/${member.iam_id}`, accountId, op: 'delete' });
    }
    const entries: ResourceEntry[] = [];
    for (const rule of run.version.body.group.assertions?.rules ?? []) {
      const id = `ClaimRule-${randomUUID()}`;
      await groups.insertRule(w.trx, {
        id,
        account_id: accountId,
        group_id: groupId,
        name: rule.name ?? '',
        expiration: rule.expiration!,
        realm_name: rule.realm_name!,
        conditions: checkRuleInput({
          expiration: rule.expiration!,
          realmName: rule.realm_name!,
          conditions: rule.conditions!.map((c) => ({ claim: c.claim ?? '', operator: c.operator ?? '', value: c.value ?? '' })),
        }).conditions,
        created_at: run.at,
        created_by_id: run.by,
        last_modified_at: run.at,
        last_modified_by_id: run.by,
        entity_tag: nextTag(),
      });
      w.changed({ entity: 'group_rule', entityId: id, accountId, op: 'create' });
      entries.push(entry(id, 'create', 'succeeded', '', rule.name));
    }
    return entries;
  }

  async function applyPolicies(w: Write, run: ApplyRun<GroupTemplateBody>, groupId: string) {
    const entries: ResourceEntry[] = [];
    for (const ref of run.version.body.policy_template_references) {
      const checked = { id: ref.id!, version: ref.version! };
      if (!deps.policyTemplates) {
        entries.push({ ...entry(checked.id, 'create', 'failed', 'Policy templates are not available on this server.'), version: checked.version });
        continue;
      }
      const policyId = await deps.policyTemplates.applyToGroup(w, { accountId: run.accountId, groupId, ref: checked, by: run.by });
      entries.push({ ...entry(policyId, 'create', 'succeeded'), id: checked.id, version: checked.version });
    }
    return entries;
  }

  return {
    name: 'group',
    label: 'access group template',
    templateIdPrefix: 'AccessGroupTemplateId-',
    assignmentIdPrefix: 'AccessGroupAssignment-',
    serviceName: 'iam-groups',
    templateResource: 'group-template',
    assignmentResource: 'group-assignment',
    check: checkGroupBody,
    actionControls: (body) => ({
      members: body.group.members?.action_controls ?? {},
      assertions: body.group.assertions?.action_controls ?? {},
      access: body.group.action_controls?.access ?? {},
    }),

    async authorizeGrant(actor, enterpriseAccountId, body) {
      if (!deps.policyTemplates) return;
      for (const ref of body.policy_template_references) {
        await deps.policyTemplates.authorizeReference(actor, enterpriseAccountId, { id: ref.id!, version: ref.version! });
      }
    },

    async apply(w, run) {
      const { accountId } = run;
      const { group } = run.version.body;
      const existing = run.managed && (await groups.getGroup(run.managed.resourceId, w.trx));
      const previous = run.managed && (await templates.getVersion('group', run.managed.templateId, run.managed.templateVersion, w.trx));
      const holder = await groups.groupIdByName(w.trx, accountId, group.name);
      if (holder !== undefined && holder !== existing?.id) {
        throw new DomainError('conflict', 'conflict', `An access group named "${group.name}" already exists in account ${accountId}.`);
      }
      let groupId: string;
      if (existing) {
        groupId = existing.id;
        await groups.updateGroup(w.trx, groupId, undefined, {
          name: group.name,
          description: group.description ?? '',
          last_modified_at: run.at,
          last_modified_by_id: run.by,
          entity_tag: nextTag(existing.entityTag),
        });
        w.changed({ entity: 'access_group', entityId: groupId, accountId, op: 'update' });
      } else {
        groupId = `AccessGroupId-${randomUUID()}`;
        await groups.insertGroup(w.trx, {
          account_id: accountId,
          id: groupId,
          name: group.name,
          description: group.description ?? '',
          created_at: run.at,
          created_by_id: run.by,
          last_modified_at: run.at,
          last_modified_by_id: run.by,
          entity_tag: nextTag(),
        });
        w.changed({ entity: 'access_group', entityId: groupId, accountId, op: 'create' });
      }
      const members = await applyMembers(w, run, groupId, existing ? (previous?.body as GroupTemplateBody | undefined) : undefined);
      const rules = await applyRules(w, run, groupId);
      const policies = await applyPolicies(w, run, groupId);
      const failed = [...members, ...rules, ...policies].find((e) => e.status === 'failed');
      const detail = {
        target: accountId,
        group: {
          group: { ...entry(groupId, existing ? 'update' : 'create', 'succeeded', '', group.name), version: String(run.version.version) },
          members,
          rules,
        },
        policy_template_references: policies,
      };
      return { resourceId: groupId, detail, ...(failed ? { failure: failed.error } : {}) };
    },

    failedDetail(run, error) {
      return {
        target: run.accountId,
        group: {
          group: { ...entry('', 'create', 'failed', `${error.code}: ${error.message}`, run.version?.body.group.name), version: String(run.version?.version ?? '') },
          members: [],
          rules: [],
        },
        policy_template_references: [],
      };
    },

    async remove(w, managed: ManagedResource) {
      const { accountId, resourceId } = managed;
      const existing = await groups.getGroup(resourceId, w.trx);
      if (existing) {
        const removed = await groups.deleteGroup(w.trx, accountId, resourceId);
        for (const iamId of removed.iamIds) w.changed({ entity: 'group_member', entityId: `${resourceId}/${iamId}`, accountId, op: 'delete' });
        for (const ruleId of removed.ruleIds) w.changed({ entity: 'group_rule', entityId: ruleId, accountId, op: 'delete' });
        w.changed({ entity: 'access_group', entityId: resourceId, accountId, op: 'delete' });
      }
      return { target: accountId, group: { group: entry(resourceId, 'remove', 'succeeded', '', existing?.name), members: [], rules: [] }, policy_template_references: [] };
    },
  };
}
