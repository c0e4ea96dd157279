import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { Value } from '@sinclair/typebox/value';
import { requestOf, type WireRequest } from '../../src/authz/wire.js';
import { Catalog, customRoleCrn } from '../../src/catalog/catalog.js';
import { parseCatalogFile } from '../../src/catalog/catalog-file.js';
import { systemRoles } from '../../src/catalog/system.js';
import { authorize } from '../../src/pdp/authorize.js';
import { Snapshot } from '../../src/pdp/snapshot.js';
import type { DecisionRequest, Policy } from '../../src/pdp/types.js';
import { V1PolicySchema, V2PolicySchema } from '../../src/policies/schemas.js';
import type { CustomRoleRecord } from '../../src/policies/types.js';
import { parseV1, type V1PolicyBody } from '../../src/policies/v1.js';
import { parseV2, type V2PolicyBody } from '../../src/policies/v2.js';
import { validateDraft, type ValidationDeps } from '../../src/policies/validate.js';
import type { Static } from '@sinclair/typebox';
import { addressOf } from '../../src/cbr/addresses.js';
import type { CbrContext } from '../../src/cbr/context.js';
import { restrictionOf } from '../../src/cbr/restriction.js';
import { RuleBody, ZoneBody } from '../../src/cbr/schemas.js';
import type { RestrictionRule, RestrictionZone } from '../../src/pdp/restrictions.js';
import type { ActionControl } from '../../src/pdp/action-controls.js';
import { createActionControlKind } from '../../src/templates/kinds/action-control.js';
import type { ActionControlStore } from '../../src/templates/kinds/action-controls-store.js';
import { caseFileSchema, validate } from './case-schema.js';
import { naiveRestriction } from './naive-restrictions.js';
import { naiveDecide, type World } from './naive.js';

/**
 * Decision behaviour as data: every file in cases/ describes a small world (catalog additions,
 * custom roles, memberships, instances, policies) and the decisions expected in it. Each case is
 * checked against the indexed PDP, its explain mode, and the naive evaluator.
 *
 * Policies and requests go through the parsers real API calls use: a policy is a v1 or v2 create
 * body (the compact form below is written out as a v2 body), checked against the route's schema,
 * parsed (parseV1/parseV2) and validated against the world's catalog (validateDraft) exactly as
 * `POST /v1|v2/policies` does; a decision is a `/v2/authz` request item parsed by requestOf.
 */

interface CaseFile {
  description: string;
  account?: string;
  now?: string;
  services?: unknown[];
  customRoles?: Array<{ name: string; account?: string; serviceName: string; actions: string[] }>;
  publicAccess?: Record<string, boolean>;
  instances?: Record<string, Record<string, string>>;
  memberships?: Array<{ account?: string; group: string; iamId: string; expiresAt?: string }>;
  policies?: CompactPolicy[];
  zones?: Array<{ id: string } & Record<string, unknown>>;
  rules?: Array<{ id: string } & Record<string, unknown>>;
  actionControls?: Array<{ id: string; account?: string; action_control: unknown }>;
  cases: DecisionCase[];
}

type Attributes = Record<string, string | boolean | string[]> | Array<{ key: string; operator?: string; value: unknown }>;

interface CompactPolicy {
  id: string;
  account?: string;
  type?: 'access' | 'authorization';
  state?: 'active' | 'deleted';
  subject?: { iam_id?: string; access_group_id?: string; service?: Attributes };
  resource?: Attributes;
  tags?: Attributes;
  roles?: string[];
  rule?: unknown;
  pattern?: string;
  wire?: Record<string, unknown>;
  /** The policy API must refuse this policy, with a message containing this text; it is not in the world. */
  refused?: string;
}

interface DecisionCase {
  name: string;
  now?: string;
  subject: string | { id?: string; attributes?: Record<string, string> };
  action: string;
  resource: Record<string, string>;
  tags?: Record<string, string[]>;
  environment?: Record<string, string>;
  expect: 'permit' | 'deny';
  cause?: string;
  policy?: string;
  role?: string;
  restrictedBy?: string;
  reportedBy?: string;
  controlledBy?: string;
}

const DEFAULT_ACCOUNT = 'acct-a';
const DEFAULT_NOW = '2024-06-03T12:00:00Z'; // a Monday
const roleByName = new Map(systemRoles.filter((r) => r.serviceName === undefined).map((r) => [r.name, r.crn]));

function roleCrn(name: string, account: string): string {
  if (name.startsWith('crn:')) return name;
  if (name.startsWith('custom:')) return customRoleCrn(account, name.slice('custom:'.length));
  const crn = roleByName.get(name);
  if (!crn) throw new Error(`case file: unknown role ${name}`);
  return crn;
}

function conditions(attrs: Attributes | undefined): Array<{ key: string; operator: string; value: unknown }> {
  if (attrs === undefined) return [];
  if (Array.isArray(attrs)) return attrs.map((a) => ({ key: a.key, operator: a.operator ?? 'stringEquals', value: a.value }));
  return Object.entries(attrs).map(([key, value]) => ({
    key,
    operator: typeof value === 'boolean' ? 'stringExists' : Array.isArray(value) ? 'stringEqualsAnyOf' : 'stringEquals',
    value,
  }));
}

/** The create body a policy of a case file stands for: its raw `wire` body, else the compact form as v2. */
function bodyOf(p: CompactPolicy, file: CaseFile): Record<string, unknown> {
  if (p.wire) return p.wire;
  const account = p.account ?? file.account ?? DEFAULT_ACCOUNT;
  const subject = p.subject ?? {};
  const subjectAttributes =
    subject.iam_id !== undefined ? [{ key: 'iam_id', operator: 'stringEquals', value: subject.iam_id }]
    : subject.access_group_id !== undefined ? [{ key: 'access_group_id', operator: 'stringEquals', value: subject.access_group_id }]
    : conditions(subject.service);
  const tags = conditions(p.tags);
  return {
    type: p.type ?? (subject.service ? 'authorization' : 'access'),
    subject: { attributes: subjectAttributes },
    resource: {
      attributes: [{ key: 'accountId', operator: 'stringEquals', value: account }, ...conditions(p.resource)],
      ...(tags.length > 0 ? { tags } : {}),
    },
    control: { grant: { roles: (p.roles ?? []).map((r) => ({ role_id: roleCrn(r, account) })) } },
    ...(p.rule !== undefined ? { rule: p.rule, pattern: p.pattern ?? 'time-based-conditions:weekly:custom-hours' } : {}),
  };
}

/**
 * What `POST /v1/policies` or `POST /v2/policies` would store for the body: the route's schema,
 * the parser and the validator, then the stored policy (state set afterwards, as a later state
 * change would). Whether a subject is an identity of the account is the identity domain's
 * question (test/policies); here every subject counts as one.
 */
async function toPolicy(p: CompactPolicy, file: CaseFile, catalog: Catalog): Promise<Policy> {
  const body = bodyOf(p, file);
  const v1 = 'subjects' in body || 'resources' in body;
  const schema = v1 ? V1PolicySchema : V2PolicySchema;
  const [problem] = Value.Errors(schema, body);
  if (problem) throw new Error(`case file: policy ${p.id} does not fit the ${v1 ? 'v1' : 'v2'} request schema: ${problem.path} ${problem.message}`);
  const deps: ValidationDeps = {
    catalog,
    subjects: { exists: async () => true },
    customRole: async (crn) => customRoleRecord(catalog, crn),
    instance: async (instanceId) => instanceOf(file, instanceId),
  };
  try {
    const draft = v1 ? parseV1(body as unknown as V1PolicyBody) : parseV2(body as unknown as V2PolicyBody);
    const { syntax: _syntax, ...content } = await validateDraft(draft, deps);
    return { id: p.id, state: p.state ?? 'active', ...content };
  } catch (error) {
    throw new Error(`case file: the policy API refuses policy ${p.id}: ${(error as Error).message}`);
  }
}

/** The account and resource group of an instance of the world, as the validator asks the resource store. */
function instanceOf(file: CaseFile, instanceId: string): { accountId: string; resourceGroupId: string } | undefined {
  for (const [accountId, byInstance] of Object.entries(file.instances ?? {})) {
    const resourceGroupId = byInstance[instanceId];
    if (resourceGroupId !== undefined) return { accountId, resourceGroupId };
  }
  return undefined;
}

/** The stored custom role the validator asks about, from the world's catalog. */
function customRoleRecord(catalog: Catalog, crn: string): CustomRoleRecord | undefined {
  const role = catalog.role(crn);
  if (role?.kind !== 'custom' || role.accountId === undefined || role.serviceName === undefined) return undefined;
  const at = '2024-01-01T00:00:00Z';
  return {
    id: crn, name: role.name, accountId: role.accountId, serviceName: role.serviceName, crn, displayName: role.displayName,
    actions: [...catalog.actionsOf(crn, role.serviceName)], createdAt: at, createdById: 'case-file', lastModifiedAt: at, lastModifiedById: 'case-file', entityTag: '1-0',
  };
}

/** A policy marked `refused` and what the policy API said of it (undefined: it was accepted). */
interface Refusal {
  id: string;
  expected: string;
  message: string | undefined;
}

/**
 * The action controls of a case file, through the action-control template kind's own check (what
 * `POST /v1/action_control_templates` stores), held in their account as an assignment holds them.
 */
async function actionControlsOf(file: CaseFile): Promise<ActionControl[]> {
  const kind = createActionControlKind({ store: {} as ActionControlStore, clock: { now: () => new Date(0) } });
  const controls: ActionControl[] = [];
  for (const c of file.actionControls ?? []) {
    const body = await kind.validate({ action_control: c.action_control }, file.account ?? DEFAULT_ACCOUNT).catch((error: Error) => {
      throw new Error(`case file: the template API refuses action control ${c.id}: ${error.message}`);
    });
    if (!body.action_control) throw new Error(`case file: action control ${c.id} names no action_control.`);
    controls.push({ id: c.id, accountId: c.account ?? file.account ?? DEFAULT_ACCOUNT, actions: body.action_control.actions });
  }
  return controls;
}

async function buildWorld(file: CaseFile): Promise<{ snapshot: Snapshot; world: World; refusals: Refusal[]; zones: RestrictionZone[]; rules: RestrictionRule[]; controls: ActionControl[] }> {
  const catalog = Catalog.withSeed();
  if (file.services) catalog.registerAll(parseCatalogFile(stringify(file.services)));
  for (const r of file.customRoles ?? []) {
    const accountId = r.account ?? file.account ?? DEFAULT_ACCOUNT;
    catalog.upsertCustomRole({
      crn: customRoleCrn(accountId, r.name),
      name: r.name,
      displayName: r.name,
      description: '',
      kind: 'custom',
      accountId,
      serviceName: r.serviceName,
      actions: r.actions,
    });
  }
  const refusals: Refusal[] = [];
  const policies: Policy[] = [];
  for (const p of file.policies ?? []) {
    if (p.refused === undefined) {
      policies.push(await toPolicy(p, file, catalog));
      continue;
    }
    const message = await toPolicy(p, file, catalog).then(() => undefined, (error: Error) => error.message);
    refusals.push({ id: p.id, expected: p.refused, message });
  }
  const memberships = (file.memberships ?? []).map((m) => ({
    accountId: m.account ?? file.account ?? DEFAULT_ACCOUNT,
    groupId: m.group,
    iamId: m.iamId,
    ...(m.expiresAt ? { expiresAt: Date.parse(m.expiresAt) } : {}),
  }));
  const instances = Object.entries(file.instances ?? {}).flatMap(([accountId, byInstance]) =>
    Object.entries(byInstance).map(([instanceId, resourceGroupId]) => ({ accountId, instanceId, resourceGroupId })),
  );
  const publicAccess = new Map(Object.entries(file.publicAccess ?? {}));
  const { zones, rules } = restrictionsOf(file, catalog);
  const controls = await actionControlsOf(file);
  const { snapshot, rejected } = Snapshot.build({
    catalog,
    policies,
    memberships,
    instances,
    publicAccess: [...publicAccess].map(([accountId, enabled]) => ({ accountId, enabled })),
    zones,
    rules,
    actionControls: controls,
  });
  if (rejected.length > 0) throw new Error(`case file: policies rejected: ${rejected.map((r) => r.error.message).join('; ')}`);
  return { snapshot, world: { catalog, policies, memberships, instances, publicAccess }, refusals, zones, rules, controls };
}

/**
 * The zones and rules of a case file, through the CBR API's own request schemas and address
 * parser (what `POST /v1/zones` and `POST /v1/rules` accept and store).
 */
function restrictionsOf(file: CaseFile, catalog: Catalog): { zones: RestrictionZone[]; rules: RestrictionRule[] } {
  const account = file.account ?? DEFAULT_ACCOUNT;
  const ctx = { catalog, locations: ['dal', 'us-south'] } as unknown as CbrContext;
  const zones = (file.zones ?? []).map(({ id, ...body }) => {
    const wire = { account_id: account, name: id, ...body };
    const [problem] = Value.Errors(ZoneBody, wire);
    if (problem) throw new Error(`case file: zone ${id} does not fit the zone schema: ${problem.path} ${problem.message}`);
    const parsed = wire as unknown as Static<typeof ZoneBody>;
    return { id, accountId: parsed.account_id, addresses: parsed.addresses.map((a) => addressOf(ctx, a)), excluded: (parsed.excluded ?? []).map((a) => addressOf(ctx, a)) };
  });
  const rules = (file.rules ?? []).map(({ id, ...body }) => {
    const [problem] = Value.Errors(RuleBody, body);
    if (problem) throw new Error(`case file: rule ${id} does not fit the rule schema: ${problem.path} ${problem.message}`);
    const parsed = body as unknown as Static<typeof RuleBody>;
    const accountId = parsed.resources[0]?.attributes.find((a) => a.name === 'accountId')?.value ?? account;
    return restrictionOf({
      id, accountId, description: '', contexts: parsed.contexts, resources: parsed.resources,
      ...(parsed.operations ? { operations: parsed.operations } : {}),
      enforcementMode: parsed.enforcement_mode ?? 'enabled',
      entityTag: '1-0', createdAt: '', createdById: '', lastModifiedAt: '', lastModifiedById: '',
    });
  });
  return { zones, rules };
}

/**
 * The `/v2/authz` request item a case stands for, parsed as the API parses it. Access-management
 * tags are not part of IBM's request: the decision point learns them from the tagging service, so
 * they are added to the parsed request.
 */
function toRequest(c: DecisionCase, file: CaseFile): DecisionRequest {
  const subject = typeof c.subject === 'string' ? { id: c.subject } : { ...(c.subject.id !== undefined ? { id: c.subject.id } : {}), ...c.subject.attributes };
  const wire: WireRequest = {
    subject: { attributes: subject },
    action: c.action,
    resource: { attributes: { accountId: file.account ?? DEFAULT_ACCOUNT, ...c.resource } },
    ...(c.environment ? { environment: { attributes: c.environment } } : {}),
  };
  const request = requestOf(wire, c.action);
  return c.tags ? { ...request, tags: c.tags } : request;
}

const casesDir = join(dirname(fileURLToPath(import.meta.url)), 'cases');
const files = readdirSync(casesDir).filter((f) => f.endsWith('.yaml')).sort();

describe('decision case files', () => {
  it('exist and hold at least 150 cases', () => {
    const total = files.reduce((n, f) => n + ((parse(readFileSync(join(casesDir, f), 'utf8')) as CaseFile).cases?.length ?? 0), 0);
    expect(total).toBeGreaterThanOrEqual(150);
  });
});

for (const name of files) {
  const file = parse(readFileSync(join(casesDir, name), 'utf8')) as CaseFile;
  const built = await buildWorld(file);
  describe(`${name}: ${file.description}`, () => {
    it('has the case-file shape', () => {
      expect(validate(file, caseFileSchema)).toEqual([]);
    });
    const { snapshot, world, refusals, zones, rules, controls } = built;
    for (const r of refusals) {
      it(`the policy API refuses policy ${r.id}`, () => {
        expect(r.message, 'accepted').toBeDefined();
        expect(r.message).toContain(r.expected);
      });
    }
    for (const c of file.cases) {
      it(`${c.expect}: ${c.name}`, () => {
        const request = toRequest(c, file);
        const now = Date.parse(c.now ?? file.now ?? DEFAULT_NOW);
        const [decision] = authorize([request], snapshot, { now });
        const [explained] = authorize([request], snapshot, { now, explain: true });
        const naive = naiveDecide(world, request, now);
        // Naively: a control of the resource's account naming the action takes a permit away, before any restriction.
        const controlled = naive.permitted ? controls.find((a) => a.accountId === request.resource.accountId && a.actions.includes(request.action))?.id : undefined;
        const serviceName = request.resource.serviceName || world.catalog.serviceOfAction(request.action) || '';
        const restriction = naive.permitted && controlled === undefined ? naiveRestriction(zones, rules, request, serviceName, (s) => world.catalog.service(s)?.groupId) : {};
        const expected = c.expect === 'permit';
        expect(decision!.permitted, decision!.reason).toBe(expected);
        expect(explained!.permitted).toBe(expected);
        expect(naive.permitted && controlled === undefined && restriction.refusedBy === undefined, 'naive evaluator').toBe(expected);
        expect(decision!.actionControlId, 'action control').toBe(c.controlledBy);
        expect(controlled, 'naive action control').toBe(c.controlledBy);
        if (c.controlledBy) {
          expect(decision!.cause).toBe('action_controlled');
          expect(decision!.reason).toContain(c.controlledBy);
          expect(explained!.actionControlId).toBe(c.controlledBy);
          expect(explained!.reason).toContain(c.controlledBy);
          // Explain still shows the policy that granted what the control took away.
          expect(explained!.explain?.policies.some((p) => p.outcome === 'granted' && naive.policyIds.has(p.policyId))).toBe(true);
        }
        if (c.restrictedBy) {
          expect(decision!.cause).toBe('context_restricted');
          expect(decision!.ruleId).toBe(c.restrictedBy);
          expect(decision!.reason).toContain(c.restrictedBy);
          expect(explained!.explain?.restrictions?.find((r) => r.ruleId === c.restrictedBy)?.satisfied).toBe(false);
        }
        expect(decision!.reportedRuleId, 'report-only rule').toBe(c.reportedBy);
        if (!decision!.permitted) expect(restriction.refusedBy === undefined).toBe(decision!.cause !== 'context_restricted');
        else expect(restriction.reportedBy !== undefined).toBe(c.reportedBy !== undefined);
        if (decision!.permitted) expect(naive.policyIds).toContain(decision!.policyId);
        else if (c.restrictedBy) expect(naive.policyIds.size).toBeGreaterThan(0);
        if (c.cause) expect(decision!.cause).toBe(c.cause);
        if (c.policy) expect(decision!.policyId).toBe(c.policy);
        if (c.role) expect(decision!.role).toBe(roleCrn(c.role, request.resource.accountId));
      });
    }
  });
}
