import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { Catalog, customRoleCrn } from '../../src/catalog/catalog.js';
import { parseCatalogFile } from '../../src/catalog/catalog-file.js';
import { systemRoles } from '../../src/catalog/system.js';
import { authorize } from '../../src/pdp/authorize.js';
import { Snapshot } from '../../src/pdp/snapshot.js';
import type { DecisionRequest, Policy } from '../../src/pdp/types.js';
import { fromWirePolicy } from '../../src/pdp/wire.js';
import { caseFileSchema, validate } from './case-schema.js';
import { naiveDecide, type World } from './naive.js';

/**
 * Decision behaviour as data: every file in cases/ describes a small world (catalog additions,
 * custom roles, memberships, instances, policies) and the decisions expected in it. Each case is
 * checked against the indexed PDP, its explain mode, and the naive evaluator.
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

function toPolicy(p: CompactPolicy, file: CaseFile): Policy {
  if (p.wire) return fromWirePolicy({ id: p.id, ...p.wire });
  const account = p.account ?? file.account ?? DEFAULT_ACCOUNT;
  const subject = p.subject ?? {};
  const subjectAttributes =
    subject.iam_id !== undefined ? [{ key: 'iam_id', operator: 'stringEquals', value: subject.iam_id }]
    : subject.access_group_id !== undefined ? [{ key: 'access_group_id', operator: 'stringEquals', value: subject.access_group_id }]
    : conditions(subject.service);
  return fromWirePolicy({
    id: p.id,
    type: p.type ?? (subject.service ? 'authorization' : 'access'),
    state: p.state ?? 'active',
    subject: { attributes: subjectAttributes },
    resource: {
      attributes: [{ key: 'accountId', operator: 'stringEquals', value: account }, ...conditions(p.resource)],
      tags: conditions(p.tags),
    },
    control: { grant: { roles: (p.roles ?? []).map((r) => ({ role_id: roleCrn(r, account) })) } },
    ...(p.rule !== undefined ? { rule: p.rule, pattern: p.pattern ?? 'time-based-conditions:weekly:custom-hours' } : {}),
  });
}

function buildWorld(file: CaseFile): { snapshot: Snapshot; world: World } {
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
  const policies = (file.policies ?? []).map((p) => toPolicy(p, file));
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
  const { snapshot, rejected } = Snapshot.build({
    catalog,
    policies,
    memberships,
    instances,
    publicAccess: [...publicAccess].map(([accountId, enabled]) => ({ accountId, enabled })),
  });
  if (rejected.length > 0) throw new Error(`case file: policies rejected: ${rejected.map((r) => r.error.message).join('; ')}`);
  return { snapshot, world: { catalog, policies, memberships, instances, publicAccess } };
}

function toRequest(c: DecisionCase, file: CaseFile): DecisionRequest {
  const subject = typeof c.subject === 'string' ? { id: c.subject } : { id: c.subject.id ?? '', ...(c.subject.attributes ? { attributes: c.subject.attributes } : {}) };
  return {
    subject,
    action: c.action,
    resource: { accountId: file.account ?? DEFAULT_ACCOUNT, ...c.resource },
    ...(c.tags ? { tags: c.tags } : {}),
    ...(c.environment ? { environment: { attributes: c.environment } } : {}),
  };
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
  describe(`${name}: ${file.description}`, () => {
    it('has the case-file shape', () => {
      expect(validate(file, caseFileSchema)).toEqual([]);
    });
    const { snapshot, world } = buildWorld(file);
    for (const c of file.cases) {
      it(`${c.expect}: ${c.name}`, () => {
        const request = toRequest(c, file);
        const now = Date.parse(c.now ?? file.now ?? DEFAULT_NOW);
        const [decision] = authorize([request], snapshot, { now });
        const [explained] = authorize([request], snapshot, { now, explain: true });
        const naive = naiveDecide(world, request, now);
        const expected = c.expect === 'permit';
        expect(decision!.permitted, decision!.reason).toBe(expected);
        expect(explained!.permitted).toBe(expected);
        expect(naive.permitted, 'naive evaluator').toBe(expected);
        if (decision!.permitted) expect(naive.policyIds).toContain(decision!.policyId);
        if (c.cause) expect(decision!.cause).toBe(c.cause);
        if (c.policy) expect(decision!.policyId).toBe(c.policy);
        if (c.role) expect(decision!.role).toBe(roleCrn(c.role, request.resource.accountId));
      });
    }
  });
}
