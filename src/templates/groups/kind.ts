import { randomUUID } from 'node:crypto';
import type { AccessGroupsStore } from '../../access-groups/store.js';
import { checkRuleInput } from '../../access-groups/rules.js';
import type { IdentityDirectory } from '../../identity/directory.js';
import type { Clock } from '../../kernel/clock.js';
import { DomainError } from '../../kernel/errors.js';
import { nextTag } from '../../kernel/etag.js';
import type { Write } from '../../store/unit-of-work.js';
import { resourceFailure } from '../errors.js';
import type { TemplateStore } from '../store.js';
import { referencedPolicies } from '../references.js';
import type { AppliedResource, TargetContext, TemplateKind } from '../types.js';
import type { GroupDefinition, GroupTemplateBody, PolicyTemplateApplier, RuleDefinition } from './types.js';

const MAX_MEMBERS = 50;
const MAX_RULES = 5;
const USER_ID = /^(IBMid|iam)-[A-Za-z0-9_.-]{1,128}$/;
const SERVICE_IAM_ID = /^iam-ServiceId-[A-Za-z0-9-]{1,128}$/;

const invalid = (message: string) => new DomainError('invalid', 'invalid_request', message);

export interface GroupKindDeps {
  groups: AccessGroupsStore;
  directory: IdentityDirectory;
  templates: Pick<TemplateStore, 'getVersion'>;
  clock: Clock;
  /** Places the policies of the referenced policy templates (the policy template kind). */
  policyTemplates: PolicyTemplateApplier;
}

/** A rule of a template, checked as access-groups rules are (rules.ts). */
const checkedRule = (rule: RuleDefinition) =>
  checkRuleInput({
    expiration: rule.expiration!,
    realmName: rule.realm_name!,
    conditions: rule.conditions!.map((c) => ({ claim: c.claim ?? '', operator: c.operator ?? '', value: c.value ?? '' })),
    ...(rule.name !== undefined ? { name: rule.name } : {}),
  });

/** Checks an access-group template definition; 400 naming the first bad field. */
export function checkGroupBody(input: unknown): GroupTemplateBody {
  const body = input as Partial<GroupTemplateBody>;
  const group = body.group as GroupDefinition | undefined;
  if (!group || typeof group.name !== 'string') throw invalid('group with a name is required.');
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
      checkedRule(rule);
    } catch (error) {
      if (error instanceof DomainError) throw invalid(`group.assertions.rules[${i}]: ${error.message}`);
      throw error;
    }
  });
  const refs = body.policy_template_references ?? [];
  refs.forEach((ref, i) => {
    if (!ref.id || !ref.version) throw invalid(`policy_template_references[${i}] needs id and version.`);
  });
  return { group: { ...group, name }, policy_template_references: refs };
}

/** Resource keys: the group, each template member, each rule (by position), each policy template reference. */
const GROUP = 'group';
const memberKey = (iamId: string) => `member:${iamId}`;
const ruleKey = (index: number) => `rule:${index}`;

/**
 * Access-group templates as a kind of the template core: an assignment creates (or brings up to
 * date) one access group per child account, with the template's static members, its
 * dynamic-membership rules and the policies of its policy templates, authorized for the assigner
 * in the child account. The group is enterprise-managed (guard.ts).
 */
export function createGroupKind(deps: GroupKindDeps): TemplateKind<GroupTemplateBody> {
  const { groups, directory, templates } = deps;
  const groupTarget = (accountId: string, groupId?: string) => ({
    accountId,
    serviceName: 'iam-groups',
    ...(groupId !== undefined ? { resourceType: 'group', resource: groupId } : {}),
  });

  /** The version this assignment applied last in the account (its members may have to go). */
  async function previousBody(w: Write, ctx: TargetContext<GroupTemplateBody>): Promise<GroupTemplateBody | undefined> {
    const last = ctx.previous.find((r) => r.key === GROUP);
    if (!last) return undefined;
    return (await templates.getVersion<GroupTemplateBody>(ctx.assignment.templateId, last.version, w.trx))?.body;
  }

  async function placeGroup(w: Write, ctx: TargetContext<GroupTemplateBody>, at: string): Promise<string> {
    const { accountId } = ctx;
    const { group } = ctx.version.body;
    const by = ctx.principal.iamId;
    const previousId = ctx.previous.find((r) => r.key === GROUP)?.resourceId;
    const existing = previousId === undefined ? undefined : await groups.getGroup(previousId, w.trx);
    const holder = await groups.groupIdByName(w.trx, accountId, group.name);
    if (holder !== undefined && holder !== existing?.id) {
      throw new DomainError('conflict', 'conflict', `An access group named "${group.name}" already exists in account ${accountId}.`);
    }
    if (existing) {
      await groups.updateGroup(w.trx, existing.id, undefined, {
        name: group.name,
        description: group.description ?? '',
        last_modified_at: at,
        last_modified_by_id: by,
        entity_tag: nextTag(existing.entityTag),
      });
      w.changed({ entity: 'access_group', entityId: existing.id, accountId, op: 'update' });
      return existing.id;
    }
    const id = `AccessGroupId-${randomUUID()}`;
    await groups.insertGroup(w.trx, {
      account_id: accountId,
      id,
      name: group.name,
      description: group.description ?? '',
      created_at: at,
      created_by_id: by,
      last_modified_at: at,
      last_modified_by_id: by,
      entity_tag: nextTag(),
    });
    w.changed({ entity: 'access_group', entityId: id, accountId, op: 'create' });
    return id;
  }

  async function placeMembers(w: Write, ctx: TargetContext<GroupTemplateBody>, groupId: string, at: string): Promise<AppliedResource[]> {
    const { accountId } = ctx;
    const members = ctx.version.body.group.members;
    const wanted = [...(members?.users ?? []).map((id) => ({ id, type: 'user' as const })), ...(members?.services ?? []).map((id) => ({ id, type: 'service' as const }))];
    const keep = new Set(wanted.map((m) => m.id));
    const before = await previousBody(w, ctx);
    for (const iamId of [...(before?.group.members?.users ?? []), ...(before?.group.members?.services ?? [])].filter((id) => !keep.has(id))) {
      if (await groups.deleteMember(w.trx, accountId, groupId, iamId)) w.changed({ entity: 'group_member', entityId: `${groupId}/${iamId}`, accountId, op: 'delete' });
    }
    const applied: AppliedResource[] = [];
    for (const member of wanted) {
      await resourceFailure(memberKey(member.id), async () => {
        const identity = await directory.identityOf(accountId, member.id, w.trx);
        if (identity?.kind !== (member.type === 'user' ? 'user' : 'serviceid')) {
          throw new DomainError('not_found', 'not_found', `${member.id} is not an identity of account ${accountId}.`);
        }
        if (!(await groups.getStaticMember(accountId, groupId, member.id, w.trx))) {
          await groups.insertMember(w.trx, { account_id: accountId, group_id: groupId, iam_id: member.id, type: member.type, created_at: at, created_by_id: ctx.principal.iamId });
          w.changed({ entity: 'group_member', entityId: `${groupId}/${member.id}`, accountId, op: 'create' });
        }
      });
      applied.push({ key: memberKey(member.id), resourceId: member.id });
    }
    return applied;
  }

  /** Replaces the group's rules with the template's; the memberships they granted lapse until the next sign-in. */
  async function placeRules(w: Write, ctx: TargetContext<GroupTemplateBody>, groupId: string, at: string): Promise<AppliedResource[]> {
    const { accountId } = ctx;
    const rules = ctx.version.body.group.assertions?.rules ?? [];
    const current = await groups.listRules(accountId, groupId, w.trx);
    for (const rule of current) {
      await groups.deleteRule(w.trx, rule.id);
      w.changed({ entity: 'group_rule', entityId: rule.id, accountId, op: 'delete' });
    }
    for (const member of await groups.dynamicMembersOfGroup(w.trx, accountId, groupId)) {
      await groups.deleteDynamicMember(w.trx, accountId, groupId, member.iam_id);
      w.changed({ entity: 'group_member', entityId: `${groupId}/${member.iam_id}`, accountId, op: 'delete' });
    }
    const applied: AppliedResource[] = [];
    for (const [index, rule] of rules.entries()) {
      const id = `ClaimRule-${randomUUID()}`;
      const checked = checkedRule(rule);
      await groups.insertRule(w.trx, {
        id,
        account_id: accountId,
        group_id: groupId,
        name: rule.name ?? '',
        expiration: checked.expiration,
        realm_name: checked.realmName,
        conditions: checked.conditions,
        created_at: at,
        created_by_id: ctx.principal.iamId,
        last_modified_at: at,
        last_modified_by_id: ctx.principal.iamId,
        entity_tag: nextTag(),
      });
      w.changed({ entity: 'group_rule', entityId: id, accountId, op: 'create' });
      applied.push({ key: ruleKey(index), resourceId: id });
    }
    return applied;
  }

  const refsOf = (body: GroupTemplateBody) => body.policy_template_references.map((ref) => ({ id: ref.id!, version: ref.version! }));
  const references = referencedPolicies(deps.policyTemplates, (ctx) => refsOf(ctx.version.body as GroupTemplateBody));

  return {
    name: 'access_group',
    actions: {
      template: 'iam-groups.group-template',
      assignment: 'iam-groups.group-assignment',
      serviceName: 'iam-groups',
      resourceType: 'group-template',
      assignmentType: 'group-assignment',
    },
    validate: async (body) => checkGroupBody(body),

    /** What making the group needs in the child account: create (or update) it, add its members, set its rules; deleting it for a removal. */
    async authorize(ctx, removing) {
      const { accountId } = ctx;
      const groupId = ctx.previous.find((r) => r.key === GROUP)?.resourceId;
      const on = groupTarget(accountId, groupId);
      await resourceFailure(GROUP, async () => {
        if (removing) {
          if (groupId !== undefined) await ctx.authorizeInTarget('iam-groups.groups.delete', on);
          return;
        }
        const { members, assertions } = ctx.version.body.group;
        await ctx.authorizeInTarget(groupId === undefined ? 'iam-groups.groups.create' : 'iam-groups.groups.update', on);
        if ((members?.users?.length ?? 0) + (members?.services?.length ?? 0) > 0) await ctx.authorizeInTarget('iam-groups.members.add', on);
        if (groupId !== undefined || (assertions?.rules?.length ?? 0) > 0) await ctx.authorizeInTarget('iam-groups.rules.create', on);
      });
      await references.authorize(ctx, removing);
    },

    async apply(w, ctx) {
      const at = deps.clock.now().toISOString();
      const groupId = await resourceFailure(GROUP, () => placeGroup(w, ctx, at));
      return [
        { key: GROUP, resourceId: groupId },
        ...(await placeMembers(w, ctx, groupId, at)),
        ...(await resourceFailure('rules', () => placeRules(w, ctx, groupId, at))),
        ...(await references.place(w, ctx, { kind: 'access_group', groupId })),
      ];
    },

    async remove(w, ctx) {
      const { accountId } = ctx;
      const groupId = ctx.previous.find((r) => r.key === GROUP)?.resourceId;
      await references.retireAll(w, ctx);
      if (groupId === undefined || !(await groups.getGroup(groupId, w.trx))) return;
      const removed = await groups.deleteGroup(w.trx, accountId, groupId);
      for (const iamId of removed.iamIds) w.changed({ entity: 'group_member', entityId: `${groupId}/${iamId}`, accountId, op: 'delete' });
      for (const ruleId of removed.ruleIds) w.changed({ entity: 'group_rule', entityId: ruleId, accountId, op: 'delete' });
      w.changed({ entity: 'access_group', entityId: groupId, accountId, op: 'delete' });
    },

    /** The group renamed or gone, a template member missing, a rule gone, a referenced policy changed or gone: each by its key. */
    async drift(ctx) {
      const { accountId } = ctx;
      const groupId = ctx.previous.find((r) => r.key === GROUP)?.resourceId;
      const group = groupId === undefined ? undefined : await groups.getGroup(groupId);
      if (!group) return ctx.previous.map((r) => r.key);
      const { group: wanted } = ctx.version.body;
      const drifted: string[] = [];
      if (group.name !== wanted.name || group.description !== (wanted.description ?? '')) drifted.push(GROUP);
      for (const r of ctx.previous) {
        if (r.key.startsWith('member:') && !(await groups.getStaticMember(accountId, group.id, r.resourceId ?? ''))) drifted.push(r.key);
      }
      const live = new Set((await groups.listRules(accountId, group.id)).map((rule) => rule.id));
      for (const r of ctx.previous) if (r.key.startsWith('rule:') && !live.has(r.resourceId ?? '')) drifted.push(r.key);
      drifted.push(...(await references.drifted(ctx, { kind: 'access_group', groupId: group.id })));
      return drifted;
    },

    committedError: (id, version) =>
      new DomainError('conflict', 'template_committed', `Version ${version} of access group template ${id} is committed and cannot be changed. Create a new version instead.`),
    invalidError: invalid,
    nameTakenError: (name) => new DomainError('conflict', 'conflict', `An access group template named "${name}" already exists in this account.`),
    notFoundError: (id, version) =>
      new DomainError('not_found', 'not_found', version === undefined ? `Access group template ${id} not found.` : `Version ${version} of access group template ${id} not found.`),
    assignmentNotFoundError: (id) => new DomainError('not_found', 'not_found', `Access group template assignment ${id} not found.`),
  };
}
