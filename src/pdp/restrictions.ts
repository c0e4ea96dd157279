import { ALL_ADDRESSES, AddressReader, containsV4, containsV6, EMPTY_RANGES, intersect, parseAddress, parseRange, parseSubnet, RangeBuilder, subtract, type Address, type RangeSet } from './addresses.js';
import { compileWildcard } from './conditions.js';
import type { ServiceGrants } from './grants.js';
import type { DecisionRequest } from './types.js';

/**
 * Context-based restrictions as the decision point holds them (DESIGN.md: a deny stage after the
 * grant search). A rule restricts the resources it covers (by account, service or service group,
 * other resource attributes, tags, and API types) to requests that satisfy one of its contexts: a
 * client address inside one of the context's network zones (addresses minus exclusions) and an
 * allowed endpoint type. The index files rules by account and then by service, service group and
 * instance; a check reads one list, the service's plan (ServicePlan) of the rules a request on
 * it can meet, kept under the catalog grants' ordinal, so no service name is looked up or compared.
 * Each context's zones are compiled into one sorted range set of 32-bit words, searched in
 * O(log n). Where the rules ask only for addresses, the plan and each of its lists also hold the
 * addresses all their rules admit (a Gate), so an admitted client, the usual one, is passed by one
 * range search, without the instance lookup or a rule read. A decision on an account without
 * rules costs one map lookup; the client address is read once per decision (not per rule); a
 * decision allocates nothing unless it is explained.
 */

export type ZoneAddress =
  | { type: 'ipAddress' | 'ipRange' | 'subnet' | 'vpc' | 'instance'; value: string }
  | { type: 'serviceRef'; ref: ServiceRef };

export interface ServiceRef {
  accountId: string;
  serviceName?: string;
  serviceType?: string;
  serviceInstance?: string;
  location?: string;
}

export interface RestrictionZone {
  id: string;
  accountId: string;
  addresses: ZoneAddress[];
  excluded: ZoneAddress[];
}

export type EnforcementMode = 'enabled' | 'disabled' | 'report';

export interface RestrictionAttribute {
  name: string;
  value: string;
  operator?: string;
}

export interface RestrictionRule {
  id: string;
  /** The account of the resources it restricts (its `accountId` resource attribute). */
  accountId: string;
  enforcementMode: EnforcementMode;
  resources: Array<{ attributes: RestrictionAttribute[]; tags: RestrictionAttribute[] }>;
  contexts: Array<{ attributes: Array<{ name: string; value: string }> }>;
  /** API type ids it is limited to; empty: every operation. */
  apiTypes: string[];
}

/**
 * What the restriction stage reads of a service's catalog grants (catalog.grantsOn): its service
 * group (`IAM`), and the grants' ordinal, under which the service's plan is kept (negative: the
 * plan is built for one check and not kept).
 */
export type CheckedService = Pick<ServiceGrants, 'groupId' | 'ordinal'>;

/** The rule a verdict names: one object for each compiled rule, so callers may key caches on it. */
export interface RefusingRule {
  readonly id: string;
  readonly mode: 'enabled' | 'report';
}

/** The verdict of the restriction stage on a permitted request. */
export interface RestrictionVerdict {
  /** The rule that refuses (enabled) or would refuse (report) the request; undefined: none does. */
  rule?: RefusingRule;
  /** Every covering rule, with the zones each tried, for explain. */
  tried: Array<{ ruleId: string; mode: EnforcementMode; zones: string[]; satisfied: boolean }>;
}

/** The API type that covers every operation of every service. */
export const ALL_OPERATIONS_API_TYPE = 'crn:v1:bluemix:public:context-based-restrictions::::api-type:';

interface CompiledContext {
  zoneIds: string[] | undefined;
  /** The zones' addresses (RangeSet's two families, held here so a check reads one object less). */
  v4: Uint32Array;
  v6: Uint32Array;
  /** Non-IP zone entries (vpc, instance, serviceRef) as `type:value` keys the environment can name. */
  references: Set<string>;
  endpointTypes: Set<string> | undefined;
}

interface CompiledResource {
  service: string | undefined;
  group: string | undefined;
  instance: string | undefined;
  /** Other attributes, tested against the request's resource. */
  tests: Array<{ name: string; test: (value: string) => boolean }>;
  tags: Array<{ name: string; test: (value: string) => boolean }>;
}

interface CompiledRule {
  source: RestrictionRule;
  mode: EnforcementMode;
  /** The mode as a check reads it: no string compare, no read of the source. */
  disabled: boolean;
  enforced: boolean;
  resources: CompiledResource[];
  contexts: CompiledContext[];
  /** The rule's one context when all it asks is a client address in its zones' ranges (read without the context list). */
  addressesOnly: CompiledContext | undefined;
  apiServices: Set<string> | undefined;
  /**
   * Whether where the rule is filed says all `covers` would: no API types, and no resource
   * attribute or tag beyond the indexed ones (account, service, service group, instance). Such a
   * rule found under the request's service (or its parent), group or instance covers the request.
   */
  coveredWhereFiled: boolean;
  /** The verdict of this rule refusing an unexplained request (enabled or report mode), made once. */
  refusal: RestrictionVerdict | undefined;
}

/** Rules of one account filed where a request can find them. */
class AccountRules {
  readonly byService = new Map<string, FiledRules>();
  readonly byGroup = new Map<string, FiledRules>();
  readonly anyService = new FiledRules();
  /** Rules filed; at 0 the account leaves the index, so its decisions find nothing at once. */
  size = 0;
  /** By catalog grants' ordinal: the plan of that service, built on its first check; dropped whenever a rule is filed or unfiled. */
  plans: Array<ServicePlan | undefined> = [];
}

/**
 * Addresses that satisfy every rule of a set, kept when each of its rules that is not disabled asks
 * only for a client address in its zones (the common rule): a client inside is refused (or
 * reported) by none of them, whatever they cover, so a check passes it without reading a rule, and
 * only a client outside has the rules read, to find the one that refuses.
 */
class Gate {
  /** Whether the set has a gate; the ranges are then its addresses (empty otherwise). */
  readonly gated: boolean;
  readonly v4: Uint32Array;
  readonly v6: Uint32Array;

  constructor(gate: RangeSet | undefined) {
    this.gated = gate !== undefined;
    ({ v4: this.v4, v6: this.v6 } = gate ?? EMPTY_RANGES);
  }
}

/** The addresses within `base` that every rule of `rules` admits, or undefined when the rules have no gate (see Gate). */
function gateOf(rules: Iterable<CompiledRule>, base: RangeSet | undefined): RangeSet | undefined {
  let gate: RangeSet | undefined = base;
  for (const rule of rules) {
    if (gate === undefined) break;
    if (!rule.disabled) gate = rule.addressesOnly !== undefined ? intersect(gate, rule.addressesOnly) : undefined;
  }
  return gate;
}

/** Rules a check reads in order, and their gate. */
class RuleList extends Gate {
  constructor(
    readonly rules: readonly CompiledRule[],
    gate: RangeSet | undefined,
  ) {
    super(gate);
  }
}

/**
 * The rules a request on one service of an account can meet, in the order a check reads them:
 * those filed under the service, under its parent (`parent.child`), under its service group, and
 * under every service; for a request on an instance with rules of its own, each place's rules for
 * that instance right after the place's service-wide ones. A rule filed in two places is read once.
 * The plan's own gate is that of all its lists, so that a client inside it passes before the
 * request's instance is looked up.
 */
class ServicePlan extends Gate {
  /** Whether no request on the service meets a rule. */
  readonly empty: boolean;

  constructor(
    readonly serviceName: string,
    /** The parent service's name; the service's own name when it has no parent. */
    readonly parent: string,
    readonly all: RuleList,
    readonly byInstance: ReadonlyMap<string, RuleList>,
    gate: RangeSet | undefined,
  ) {
    super(gate);
    this.empty = all.rules.length === 0 && byInstance.size === 0;
  }
}

class FiledRules {
  readonly all: CompiledRule[] = [];
  readonly byInstance = new Map<string, CompiledRule[]>();
}

/** Resource attributes a rule names that have an index of their own. */
const INDEXED = new Set(['accountId', 'serviceName', 'service_group_id', 'serviceInstance']);

export class Restrictions {
  private readonly zones = new Map<string, { zone: RestrictionZone; ranges: RangeSet; references: Set<string> }>();
  private readonly rules = new Map<string, CompiledRule>();
  private readonly accounts = new Map<string, AccountRules>();
  /**
   * By AccountIndex ordinal: that account's rules (null: none), found on its first check. Emptied
   * when an account enters `accounts` (its null goes); and when one leaves, so its emptied rules are
   * not held.
   */
  private byAccountOrdinal: Array<AccountRules | null> = [];
  /** zone id → ids of the rules whose contexts name it (recompiled when it changes). */
  private readonly rulesOfZone = new Map<string, Set<string>>();
  private readonly reader = new AddressReader();

  get ruleCount(): number {
    return this.rules.size;
  }

  upsertZone(zone: RestrictionZone): void {
    this.zones.set(zone.id, { zone, ...compileZone(zone) });
    this.recompileRulesOf(zone.id);
  }

  removeZone(zoneId: string): void {
    this.zones.delete(zoneId);
    this.recompileRulesOf(zoneId);
  }

  upsertRule(rule: RestrictionRule): void {
    this.removeRule(rule.id);
    const compiled = this.compileRule(rule);
    this.rules.set(rule.id, compiled);
    for (const context of compiled.contexts) for (const z of context.zoneIds ?? []) this.rulesOf(z).add(rule.id);
    this.file(compiled, true);
    this.accounts.get(rule.accountId)!.size++;
  }

  removeRule(ruleId: string): void {
    const compiled = this.rules.get(ruleId);
    if (!compiled) return;
    this.rules.delete(ruleId);
    for (const context of compiled.contexts) for (const z of context.zoneIds ?? []) this.rulesOfZone.get(z)?.delete(ruleId);
    this.file(compiled, false);
    const account = this.accounts.get(compiled.source.accountId)!;
    if (--account.size === 0) {
      this.accounts.delete(compiled.source.accountId);
      this.byAccountOrdinal = [];
    }
  }

  /**
   * The restriction stage for one request the grant search permitted: every rule of the resource's
   * account that covers the resource and action, and whether the request satisfies one of its
   * contexts. `explain` collects every covering rule; otherwise the first refusing enabled rule
   * ends the search. A request without an environment (a call a service makes on its own behalf)
   * is not restricted; one with an environment but no usable address satisfies no network zone.
   * `service` is the catalog's grants of `serviceName` (the plan kept under its ordinal is that
   * service's), or undefined for a service the catalog does not know. `accountOrdinal` is the
   * ordinal of the decision point's AccountIndex of the resource's account, under which the
   * account's rules are then found again without hashing its id; negative: none.
   */
  check(request: DecisionRequest, serviceName: string, service: CheckedService | undefined, explain: boolean, accountOrdinal = -1): RestrictionVerdict | undefined {
    let account: AccountRules | null | undefined;
    if (accountOrdinal < 0) account = this.accounts.get(request.resource.accountId);
    else {
      account = this.byAccountOrdinal[accountOrdinal];
      if (account === undefined) this.byAccountOrdinal[accountOrdinal] = account = this.accounts.get(request.resource.accountId) ?? null;
    }
    if (account == null || request.environment === undefined) return undefined;
    const plan = service === undefined || service.ordinal < 0 ? planOf(account, serviceName, service?.groupId) : (account.plans[service.ordinal] ??= planOf(account, serviceName, service.groupId));
    if (plan.empty) return undefined;
    this.family = -1;
    if (!explain && plan.gated && this.inRanges(plan.v4, plan.v6, request.environment)) return undefined;
    const instance = request.resource.serviceInstance;
    const list = instance !== undefined && plan.byInstance.size !== 0 ? (plan.byInstance.get(instance) ?? plan.all) : plan.all;
    if (list.rules.length === 0) return undefined;
    if (!explain && list.gated && this.inRanges(list.v4, list.v6, request.environment)) return undefined;
    this.verdict = undefined;
    this.visit(list.rules, request, plan, explain);
    const verdict = this.verdict;
    this.verdict = undefined;
    return verdict;
  }

  /**
   * The check in progress (checks are synchronous): its verdict so far, and the client address,
   * read at the first context that needs it (-1: not yet; then 0: none, 4 or 6, its words in
   * `reader.words`).
   */
  private verdict: RestrictionVerdict | undefined;
  private family: -1 | 0 | 4 | 6 = -1;

  /** Checks a plan's rules in order; stops at an enabled refusal unless an explanation is wanted. */
  private visit(rules: readonly CompiledRule[], request: DecisionRequest, plan: ServicePlan, explain: boolean): void {
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (rule.disabled && !explain) continue;
      if (!rule.coveredWhereFiled && !covers(rule, request, plan.serviceName, plan.parent)) continue;
      const only = rule.addressesOnly;
      const satisfied = only !== undefined ? this.inRanges(only.v4, only.v6, request.environment!) : this.satisfies(rule, request);
      const refusing = !satisfied && !rule.disabled;
      if (!explain) {
        if (!refusing) continue;
        // An enabled refusal ends the search; a report-only one stands unless an enabled one follows.
        this.verdict = rule.refusal;
        if (rule.enforced) return;
        continue;
      }
      const tried = [{ ruleId: rule.source.id, mode: rule.mode, zones: rule.contexts.flatMap((c) => c.zoneIds ?? []), satisfied }];
      this.verdict = merge(this.verdict, { ...(refusing ? { rule: rule.refusal!.rule! } : {}), tried });
    }
  }

  /** Whether a context admits the request. The environment's attributes are read only by a context that needs them. */
  private satisfies(rule: CompiledRule, request: DecisionRequest): boolean {
    const env = request.environment!;
    const contexts = rule.contexts;
    for (let i = 0; i < contexts.length; i++) {
      const context = contexts[i]!;
      if (context.endpointTypes !== undefined) {
        const endpoint = env.attributes?.networkType ?? env.attributes?.endpointType;
        if (endpoint === undefined || !context.endpointTypes.has(endpoint)) continue;
      }
      if (context.zoneIds === undefined) return true;
      if (this.inRanges(context.v4, context.v6, env)) return true;
      if (context.references.size > 0 && env.attributes !== undefined && referenced(context.references, env.attributes)) return true;
    }
    return false;
  }

  /** Whether the client address is in the ranges (of one family each). */
  private inRanges(v4: Uint32Array, v6: Uint32Array, env: NonNullable<DecisionRequest['environment']>): boolean {
    if (this.family === -1) this.family = this.reader.read(env.ip ?? env.attributes?.ipAddress);
    const family = this.family;
    return family === 4 ? containsV4(v4, this.reader.words[0]!) : family === 6 && containsV6(v6, this.reader.words);
  }

  private rulesOf(zoneId: string): Set<string> {
    let set = this.rulesOfZone.get(zoneId);
    if (!set) this.rulesOfZone.set(zoneId, (set = new Set()));
    return set;
  }

  private recompileRulesOf(zoneId: string): void {
    for (const ruleId of [...(this.rulesOfZone.get(zoneId) ?? [])]) {
      const rule = this.rules.get(ruleId);
      if (rule) this.upsertRule(rule.source);
    }
  }

  private compileRule(rule: RestrictionRule): CompiledRule {
    const contexts = rule.contexts.map((context): CompiledContext => {
      let zoneIds: string[] | undefined;
      let endpointTypes: Set<string> | undefined;
      for (const a of context.attributes) {
        const values = a.value.split(',').map((v) => v.trim()).filter((v) => v !== '');
        if (a.name === 'networkZoneId') zoneIds = [...(zoneIds ?? []), ...values];
        else if (a.name === 'endpointType') endpointTypes = new Set(values);
      }
      const builder = new RangeBuilder();
      const references = new Set<string>();
      for (const id of zoneIds ?? []) {
        const zone = this.zones.get(id);
        // A zone of another account never admits anything to this account's rule.
        if (!zone || zone.zone.accountId !== rule.accountId) continue;
        builder.addSet(zone.ranges);
        for (const r of zone.references) references.add(r);
      }
      const { v4, v6 } = zoneIds ? builder.build() : EMPTY_RANGES;
      return { zoneIds, v4, v6, references, endpointTypes };
    });
    const resources = rule.resources.map((resource): CompiledResource => {
      const named = (name: string) => resource.attributes.find((a) => a.name === name)?.value;
      return {
        service: named('serviceName'),
        group: named('service_group_id'),
        instance: named('serviceInstance'),
        tests: resource.attributes.filter((a) => !INDEXED.has(a.name)).map((a) => ({ name: a.name, test: tester(a) })),
        tags: resource.tags.map((t) => ({ name: t.name, test: tester(t) })),
      };
    });
    const everything = rule.apiTypes.length === 0 || rule.apiTypes.includes(ALL_OPERATIONS_API_TYPE);
    const apiServices = everything ? undefined : new Set(rule.apiTypes.map((id) => id.split(':')[4] ?? ''));
    const mode = rule.enforcementMode;
    const refusal = mode === 'disabled' ? undefined : Object.freeze({ rule: Object.freeze({ id: rule.id, mode }), tried: [] });
    const coveredWhereFiled = apiServices === undefined && resources.every((r) => r.tests.length === 0 && r.tags.length === 0);
    const first = contexts[0];
    const addressesOnly = contexts.length === 1 && first!.zoneIds !== undefined && first!.endpointTypes === undefined && first!.references.size === 0 ? first : undefined;
    return { source: rule, mode, disabled: mode === 'disabled', enforced: mode === 'enabled', resources, contexts, addressesOnly, apiServices, coveredWhereFiled, refusal };
  }

  /** Files (or unfiles) a rule under each of its resources' index keys. */
  private file(rule: CompiledRule, add: boolean): void {
    let account = this.accounts.get(rule.source.accountId);
    if (!account) {
      this.accounts.set(rule.source.accountId, (account = new AccountRules()));
      this.byAccountOrdinal = [];
    }
    for (const resource of rule.resources) {
      let filed: FiledRules;
      if (resource.service !== undefined) {
        filed = account.byService.get(resource.service) ?? new FiledRules();
        account.byService.set(resource.service, filed);
      } else if (resource.group !== undefined) {
        filed = account.byGroup.get(resource.group) ?? new FiledRules();
        account.byGroup.set(resource.group, filed);
      } else filed = account.anyService;
      let list = filed.all;
      if (resource.instance !== undefined) {
        list = filed.byInstance.get(resource.instance) ?? [];
        filed.byInstance.set(resource.instance, list);
      }
      // A rule with two resources under one key is filed once.
      const at = list.indexOf(rule);
      if (add && at < 0) list.push(rule);
      if (!add && at >= 0) list.splice(at, 1);
      if (list.length === 0 && resource.instance !== undefined) filed.byInstance.delete(resource.instance);
    }
    account.plans = [];
  }
}

/** The plan of a service in an account (see ServicePlan). */
function planOf(account: AccountRules, serviceName: string, groupId: string | undefined): ServicePlan {
  const dot = serviceName.indexOf('.');
  const parent = dot > 0 ? serviceName.slice(0, dot) : serviceName;
  const places: FiledRules[] = [];
  for (const place of [
    account.byService.get(serviceName),
    dot > 0 ? account.byService.get(parent) : undefined,
    groupId !== undefined ? account.byGroup.get(groupId) : undefined,
    account.anyService,
  ]) {
    if (place !== undefined) places.push(place);
  }
  const rulesFor = (instance: string | undefined) => {
    const rules = new Set<CompiledRule>();
    for (const place of places) {
      for (const rule of place.all) rules.add(rule);
      for (const rule of (instance !== undefined && place.byInstance.get(instance)) || []) rules.add(rule);
    }
    return [...rules];
  };
  const all = rulesFor(undefined);
  const allGate = gateOf(all, ALL_ADDRESSES);
  const serviceWide = new Set(all);
  // An instance's gate is the service-wide one narrowed by the instance's own rules; the plan's, every list's.
  let planGate = allGate;
  const byInstance = new Map<string, RuleList>();
  for (const instance of new Set(places.flatMap((place) => [...place.byInstance.keys()]))) {
    const rules = rulesFor(instance);
    const gate = gateOf(rules.filter((rule) => !serviceWide.has(rule)), allGate);
    planGate = planGate && gate && intersect(planGate, gate);
    byInstance.set(instance, new RuleList(rules, gate));
  }
  return new ServicePlan(serviceName, parent, new RuleList(all, allGate), byInstance, planGate);
}

function merge(a: RestrictionVerdict | undefined, b: RestrictionVerdict): RestrictionVerdict {
  if (a === undefined) return b;
  // An enabled refusal outranks a report-only one.
  const rule = a.rule?.mode === 'enabled' ? a.rule : (b.rule ?? a.rule);
  return { ...(rule ? { rule } : {}), tried: [...a.tried, ...b.tried] };
}

function tester(attribute: RestrictionAttribute): (value: string) => boolean {
  if (attribute.operator === 'stringMatch') {
    const matches = compileWildcard(attribute.value);
    return (value) => matches(value);
  }
  return (value) => value === attribute.value;
}

/** Whether one of the rule's resources names the request's resource, and its API types the action. */
function covers(rule: CompiledRule, request: DecisionRequest, serviceName: string, parent: string): boolean {
  if (rule.apiServices !== undefined && !rule.apiServices.has(serviceName) && !rule.apiServices.has(parent)) return false;
  const resource = request.resource;
  outer: for (const r of rule.resources) {
    if (r.service !== undefined && r.service !== serviceName && r.service !== parent) continue;
    if (r.instance !== undefined && r.instance !== resource.serviceInstance) continue;
    for (const t of r.tests) {
      const value = resource[t.name];
      if (value === undefined || !t.test(value)) continue outer;
    }
    for (const t of r.tags) {
      const values = request.tags?.[t.name];
      if (values === undefined || !values.some(t.test)) continue outer;
    }
    return true;
  }
  return false;
}

/** Whether the environment names one of the context's non-IP zone entries (a VPC, an instance, a calling service). */
function referenced(references: Set<string>, attributes: Readonly<Record<string, string | undefined>>): boolean {
  const vpc = attributes.vpc ?? attributes.vpcCrn;
  if (vpc !== undefined && references.has(`vpc:${vpc}`)) return true;
  const instance = attributes.serviceInstanceCrn;
  if (instance !== undefined && references.has(`instance:${instance}`)) return true;
  const service = attributes.serviceName;
  if (service !== undefined) {
    for (const key of [`serviceRef:${attributes.accountId ?? ''}/${service}/${attributes.location ?? ''}`, `serviceRef:${attributes.accountId ?? ''}/${service}/`]) {
      if (references.has(key)) return true;
    }
  }
  return false;
}

/** A zone's addresses minus its exclusions as ranges, and its non-IP entries as reference keys. */
export function compileZone(zone: RestrictionZone): { ranges: RangeSet; references: Set<string> } {
  const included = new RangeBuilder();
  const excluded = new RangeBuilder();
  const references = new Set<string>();
  for (const a of zone.addresses) addTo(included, references, a);
  for (const a of zone.excluded) addTo(excluded, references, a);
  return { ranges: subtract(included.build(), excluded.build()), references };
}

function addTo(builder: RangeBuilder, references: Set<string>, address: ZoneAddress): void {
  if (address.type === 'serviceRef') {
    const ref = address.ref;
    references.add(`serviceRef:${ref.accountId}/${ref.serviceName ?? ref.serviceType ?? ''}/${ref.location ?? ''}`);
    return;
  }
  if (address.type === 'vpc' || address.type === 'instance') {
    references.add(`${address.type}:${address.value}`);
    return;
  }
  const range = address.type === 'ipAddress' ? single(address.value) : address.type === 'ipRange' ? parseRange(address.value) : parseSubnet(address.value);
  if (range) builder.add(range[0], range[1]);
}

function single(text: string): [Address, Address] | undefined {
  const a = parseAddress(text);
  return a ? [a, a] : undefined;
}
