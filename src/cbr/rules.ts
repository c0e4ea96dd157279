import type { AccessTarget } from '../kernel/authorizer.js';
import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import { DomainError } from '../kernel/errors.js';
import { ids } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import { Restrictions } from '../pdp/index.js';
import type { Catalogue } from './catalogue.js';
import { ACCOUNT_ID, audited, CBR_SERVICE, ENTITY_ID, type AuditSubject, type CbrContext } from './context.js';
import { cbrErrors } from './errors.js';
import { restrictionOf, restrictionZoneOf } from './restriction.js';
import { LIMITS, type EnforcementMode, type Rule, type RuleContext, type RuleResource } from './types.js';
import { zoneIdsOf } from './zones.js';

/**
 * Rules: which resources (by account, service or service group, other attributes, tags, API
 * types) may be reached only from which contexts (network zones, endpoint types), and how
 * (`enabled` refuses, `report` records, `disabled` does nothing). Managing a rule is `cbr.rule.*`
 * on each service it restricts, so nobody restricts a service they do not administer. An enabled
 * rule that would refuse the request creating it on the CBR API itself is refused: it would lock
 * the account's administrators out of the one place the rule can be undone.
 */

export interface RuleInput {
  description?: string;
  contexts: RuleContext[];
  resources: RuleResource[];
  operations?: { api_types: Array<{ api_type_id: string }> };
  enforcementMode?: EnforcementMode;
}

export interface RuleFilter {
  accountId: string;
  region?: string;
  resource?: string;
  resourceType?: string;
  serviceInstance?: string;
  serviceName?: string;
  serviceType?: string;
  serviceGroupId?: string;
  zoneId?: string;
  sort?: string;
  enforcementMode?: EnforcementMode;
}

const RESOURCE_ATTRIBUTES = new Set(['accountId', 'serviceName', 'serviceInstance', 'region', 'resourceType', 'resource', 'service_group_id', 'serviceType']);
/** Attributes that take only `stringEquals`: the ones rules are filed and authorized by. */
const EXACT_ONLY = new Set(['accountId', 'serviceName', 'service_group_id', 'serviceInstance']);
const OPERATORS = new Set(['stringEquals', 'stringMatch']);
const ENDPOINT_TYPES = new Set(['public', 'private', 'direct']);

const subjectOf = (action: string, id: string, accountId: string | null): AuditSubject => ({
  action: `cbr.rule.${action}`,
  targetType: 'rule',
  targetId: id,
  accountId,
});

export function createRuleOperations(ctx: CbrContext, catalogue: Catalogue) {
  const { store, authorizer, clock } = ctx;

  const attributeOf = (resource: RuleResource, name: string) => resource.attributes.find((a) => a.name === name)?.value;

  /** The rule's account: the `accountId` every resource names (400 when absent or not one). */
  function accountOf(resources: RuleResource[]): string {
    const accounts = new Set(resources.map((r) => attributeOf(r, 'accountId')));
    const [accountId] = accounts;
    if (accounts.size !== 1 || accountId === undefined) throw cbrErrors.badRequest("Every resource of a rule must name the same 'accountId' attribute.");
    if (!ACCOUNT_ID.test(accountId)) throw cbrErrors.badRequest(`The accountId '${accountId}' is not valid.`);
    return accountId;
  }

  /** The services each resource restricts (its service, or its group's services). */
  function servicesOf(resource: RuleResource): string[] {
    const service = attributeOf(resource, 'serviceName');
    if (service !== undefined) return [service];
    const group = attributeOf(resource, 'service_group_id');
    return group !== undefined ? catalogue.groupServices(group).map((s) => s.name) : [];
  }

  /** The authorization targets of a rule: each service it restricts, in its account. */
  function targetsOf(accountId: string, resources: RuleResource[]): AccessTarget[] {
    const names = new Set(resources.flatMap(servicesOf));
    return [...names].map((serviceName) => ({ accountId, serviceName }));
  }

  const authorizeAll = async (actor: Actor, verb: string, targets: AccessTarget[]) => {
    for (const target of targets) await authorizer.authorize(actor.principal, `cbr.rule.${verb}`, target, actor.environment);
  };

  /** Validates what the schemas cannot: names, operators, services, zones, API types. */
  async function validate(input: RuleInput, accountId: string): Promise<void> {
    if (input.resources.length === 0) throw cbrErrors.badRequest('A rule needs at least one resource.');
    for (const resource of input.resources) {
      const names = new Set<string>();
      for (const a of resource.attributes) {
        if (!RESOURCE_ATTRIBUTES.has(a.name)) throw cbrErrors.badRequest(`The resource attribute name '${a.name}' is not supported.`);
        if (names.has(a.name)) throw cbrErrors.badRequest(`The resource attribute '${a.name}' appears more than once.`);
        names.add(a.name);
        const operator = a.operator ?? 'stringEquals';
        if (!OPERATORS.has(operator) || (EXACT_ONLY.has(a.name) && operator !== 'stringEquals')) {
          throw cbrErrors.badRequest(`The operator '${operator}' is not supported for the resource attribute '${a.name}'.`);
        }
        if (a.value === '') throw cbrErrors.badRequest(`The resource attribute '${a.name}' needs a value.`);
      }
      const service = attributeOf(resource, 'serviceName');
      const group = attributeOf(resource, 'service_group_id');
      if (service !== undefined && group !== undefined) throw cbrErrors.badRequest("A resource names either 'serviceName' or 'service_group_id', not both.");
      if (service === undefined && group === undefined) throw cbrErrors.badRequest("A resource must name a 'serviceName' or a 'service_group_id'.");
      if (service !== undefined && !catalogue.isCbrEnabled(service)) throw cbrErrors.notCbrEnabled(service);
      if (group !== undefined && !catalogue.knowsGroup(group)) throw cbrErrors.badRequest(`The service group '${group}' is not enabled for context-based restrictions.`);
      for (const t of resource.tags ?? []) {
        if (!OPERATORS.has(t.operator ?? 'stringEquals')) throw cbrErrors.badRequest(`The operator '${t.operator}' is not supported for tag '${t.name}'.`);
      }
    }
    for (const context of input.contexts) {
      if (context.attributes.length === 0) throw cbrErrors.badRequest('A rule context needs at least one attribute.');
      for (const a of context.attributes) {
        if (a.name === 'endpointType') {
          for (const v of a.value.split(',')) if (!ENDPOINT_TYPES.has(v.trim())) throw cbrErrors.badRequest(`The endpointType value '${v}' is not valid.`);
        } else if (a.name !== 'networkZoneId') throw cbrErrors.badRequest(`The context attribute name '${a.name}' is not supported.`);
      }
    }
    for (const zoneId of zoneIdsOf(input)) {
      const zone = ENTITY_ID.test(zoneId) ? await store.getZone(zoneId) : undefined;
      if (!zone || zone.accountId !== accountId) throw cbrErrors.badRequest(`The zone with ID '${zoneId}' could not be found in the account.`);
    }
    if (input.operations) {
      const allowed = catalogue.apiTypeIdsOf(input.resources.flatMap(servicesOf));
      for (const t of input.operations.api_types) {
        if (!allowed.has(t.api_type_id)) throw cbrErrors.badRequest(`The API type '${t.api_type_id}' is not valid for the rule's resources.`);
      }
    }
  }

  /**
   * Refuses an enabled rule that covers the CBR API itself and does not admit the request that
   * writes it: once stored, the same request could not undo it.
   */
  async function refuseLockout(actor: Actor, rule: Rule): Promise<void> {
    const environment = actor.environment;
    if (rule.enforcementMode !== 'enabled' || environment === undefined) return;
    const restrictions = new Restrictions();
    for (const zone of await store.listZones(rule.accountId)) restrictions.upsertZone(restrictionZoneOf(zone));
    restrictions.upsertRule(restrictionOf(rule));
    const verdict = restrictions.check(
      {
        subject: { id: actor.principal.iamId },
        action: 'cbr.rule.update',
        resource: { accountId: rule.accountId, serviceName: CBR_SERVICE },
        environment: { ip: environment.clientAddress, attributes: { ipAddress: environment.clientAddress, networkType: environment.endpointType } },
      },
      CBR_SERVICE,
      { groupId: ctx.catalog.service(CBR_SERVICE)?.groupId, ordinal: -1 },
      false,
    );
    if (verdict?.rule?.mode === 'enabled') throw cbrErrors.lockout(`a rule on ${CBR_SERVICE}`, environment.clientAddress);
  }

  async function visibleRule(actor: Actor, id: string): Promise<Rule> {
    const rule = ENTITY_ID.test(id) ? await store.getRule(id) : undefined;
    if (!rule || rule.accountId !== actor.principal.accountId) throw cbrErrors.ruleNotFound(id);
    return rule;
  }

  const isTagRule = (rule: Pick<Rule, 'resources'>) => rule.resources.some((r) => (r.tags ?? []).length > 0);

  async function checkLimits(w: { trx: Parameters<typeof store.listRules>[1] }, rule: Rule): Promise<void> {
    const rules = await store.listRules(rule.accountId, w.trx);
    const others = rules.filter((r) => r.id !== rule.id);
    if (others.length >= LIMITS.rulesPerAccount) throw cbrErrors.limit('rule', LIMITS.rulesPerAccount);
    if (isTagRule(rule) && others.filter(isTagRule).length >= LIMITS.tagRulesPerAccount) throw cbrErrors.limit('tag rule', LIMITS.tagRulesPerAccount);
  }

  function fieldsOf(input: RuleInput): Pick<Rule, 'description' | 'contexts' | 'resources' | 'operations' | 'enforcementMode'> {
    return {
      description: input.description ?? '',
      contexts: input.contexts,
      resources: input.resources.map((r) => ({ attributes: r.attributes, ...(r.tags && r.tags.length > 0 ? { tags: r.tags } : {}) })),
      ...(input.operations ? { operations: input.operations } : {}),
      enforcementMode: input.enforcementMode ?? 'enabled',
    };
  }

  return {
    async create(actor: Actor, input: RuleInput): Promise<Rule> {
      const id = ids.hex32();
      const subject = subjectOf('create', id, null);
      return audited(ctx, actor, subject, async (commit) => {
        const accountId = accountOf(input.resources);
        subject.accountId = accountId;
        await validate(input, accountId);
        await authorizeAll(actor, 'create', targetsOf(accountId, input.resources));
        const at = clock.now().toISOString();
        const rule: Rule = {
          id,
          accountId,
          ...fieldsOf(input),
          entityTag: nextTag(),
          createdAt: at,
          createdById: actor.principal.iamId,
          lastModifiedAt: at,
          lastModifiedById: actor.principal.iamId,
        };
        await refuseLockout(actor, rule);
        await commit(async (w) => {
          await checkLimits(w, rule);
          await store.insertRule(w.trx, rule);
          w.changed({ entity: 'cbr_rule', entityId: id, accountId, op: 'create' });
        });
        return rule;
      });
    },

    async get(actor: Actor, id: string): Promise<Rule> {
      const rule = await visibleRule(actor, id);
      await authorizeAll(actor, 'read', targetsOf(rule.accountId, rule.resources));
      return rule;
    },

    /**
     * The account's rules that match every filter given (a rule matches an attribute filter when one
     * of its resources names that value), and that the caller may read.
     */
    async list(actor: Actor, filter: RuleFilter): Promise<Rule[]> {
      if (!ACCOUNT_ID.test(filter.accountId)) throw cbrErrors.parameter('account_id', 'query');
      if (filter.accountId !== actor.principal.accountId) {
        // Nothing crosses accounts: another account's rules are not listed, nor is their existence told.
        await authorizer.authorize(actor.principal, 'cbr.rule.read', { accountId: filter.accountId, serviceName: CBR_SERVICE }, actor.environment);
      }
      const wanted: Array<[string, string | undefined]> = [
        ['region', filter.region],
        ['resource', filter.resource],
        ['resourceType', filter.resourceType],
        ['serviceInstance', filter.serviceInstance],
        ['serviceName', filter.serviceName],
        ['serviceType', filter.serviceType],
        ['service_group_id', filter.serviceGroupId],
      ];
      const rules = (await store.listRules(filter.accountId)).filter(
        (rule) =>
          (filter.enforcementMode === undefined || rule.enforcementMode === filter.enforcementMode) &&
          (filter.zoneId === undefined || zoneIdsOf(rule).includes(filter.zoneId)) &&
          wanted.every(([name, value]) => value === undefined || rule.resources.some((r) => attributeOf(r, name) === value)),
      );
      const readable: Rule[] = [];
      for (const rule of rules) {
        try {
          await authorizeAll(actor, 'read', targetsOf(rule.accountId, rule.resources));
          readable.push(rule);
        } catch (error) {
          if (!(error instanceof DomainError && error.kind === 'forbidden')) throw error;
        }
      }
      return sortRules(readable, filter.sort);
    },

    async replace(actor: Actor, id: string, ifMatch: string | undefined, input: RuleInput): Promise<Rule> {
      const subject = subjectOf('update', id, null);
      return audited(ctx, actor, subject, async (commit) => {
        const current = await visibleRule(actor, id);
        subject.accountId = current.accountId;
        if (ifMatch === undefined) throw new DomainError('precondition_required', 'precondition_required', 'The If-Match header is required.');
        const expected = expectedTag(ifMatch, current.entityTag);
        await authorizeAll(actor, 'update', targetsOf(current.accountId, current.resources));
        const accountId = accountOf(input.resources);
        if (accountId !== current.accountId) throw cbrErrors.badRequest('The accountId of a rule cannot change.');
        await validate(input, accountId);
        await authorizeAll(actor, 'update', targetsOf(accountId, input.resources));
        const rule: Rule = {
          ...current,
          ...fieldsOf(input),
          entityTag: nextTag(current.entityTag),
          lastModifiedAt: clock.now().toISOString(),
          lastModifiedById: actor.principal.iamId,
        };
        if (!input.operations) delete rule.operations;
        await refuseLockout(actor, rule);
        await commit(async (w) => {
          await checkLimits(w, rule);
          if (!(await store.replaceRule(w.trx, rule, expected))) throw staleTag();
          w.changed({ entity: 'cbr_rule', entityId: id, accountId, op: 'update' });
        });
        return rule;
      });
    },

    async delete(actor: Actor, id: string): Promise<void> {
      const subject = subjectOf('delete', id, null);
      await audited(ctx, actor, subject, async (commit) => {
        const rule = await visibleRule(actor, id);
        subject.accountId = rule.accountId;
        await authorizeAll(actor, 'delete', targetsOf(rule.accountId, rule.resources));
        await commit(async (w) => {
          if (!(await store.deleteRule(w.trx, id))) throw cbrErrors.ruleNotFound(id);
          w.changed({ entity: 'cbr_rule', entityId: id, accountId: rule.accountId, op: 'delete' });
        });
      });
    },

    /** IBM's account settings: the limits and how much of them the account uses. */
    async counts(accountId: string): Promise<{ rules: number; tagRules: number; zones: number }> {
      const rules = await store.listRules(accountId);
      return { rules: rules.length, tagRules: rules.filter(isTagRule).length, zones: await store.countZones(accountId) };
    },
  };
}

const RULE_SORTS: Record<string, (r: Rule) => string> = {
  description: (r) => r.description,
  created_at: (r) => r.createdAt,
  last_modified_at: (r) => r.lastModifiedAt,
};

function sortRules(rules: Rule[], sort: string | undefined): Rule[] {
  if (!sort) return rules;
  const descending = sort.startsWith('-');
  const key = RULE_SORTS[descending ? sort.slice(1) : sort];
  if (!key) throw cbrErrors.parameter('sort', 'query');
  const sorted = [...rules].sort((a, b) => key(a).localeCompare(key(b)));
  return descending ? sorted.reverse() : sorted;
}

export type RuleOperations = ReturnType<typeof createRuleOperations>;
