import { conditionHolds } from '../access-groups/rules.js';
import type { Operator } from '../access-groups/types.js';
import type { IssuerType, WorkloadIdentity } from './types.js';

/**
 * Which profile links and `Profile-CR` claim rules a verified workload token matches. Pure.
 *
 * What a token offers to match on:
 * - the compute-resource facts IBM's links and rules name: `crn` (the issuer's `resource_crn`, or
 *   the issuer's own CRN), `namespace` and `name` (a Kubernetes service account; `name` is the
 *   `sub` of other OIDC tokens), `component_type` and `component_name` (Code Engine);
 * - beyond IBM, every claim of the token by name, nested claims by a dotted path
 *   (`kubernetes.io.namespace`, `kubernetes.io.serviceaccount.name`, GitHub's `repository`).
 *
 * Conditions use IBM's operators with the access-group rules' semantics (access-groups/rules.ts:
 * values JSON-encoded, an absent claim satisfies nothing) plus NOT_IN: the claim is present and
 * IN does not hold.
 *
 * A link or rule applies only to tokens of a compatible issuer type: `IKS_SA` and `ROKS_SA` to
 * Kubernetes issuers, `CE` to Code Engine issuers; generic OIDC issuers match rules of any
 * `cr_type` (their conditions decide), but links only through `crn`.
 */

export interface CrCondition {
  claim: string;
  operator: string;
  value: string;
}

/** A profile's claim rule as matching needs it. */
export interface CrRule {
  id: string;
  type: string;
  crType?: string | null;
  conditions: readonly CrCondition[];
  /** Session lifetime the rule grants, in seconds (IBM's `expiration`). */
  expiration?: number | null;
}

/** A profile's compute-resource link as matching needs it. */
export interface CrLink {
  id: string;
  crType: string;
  link: { crn?: string | null; namespace?: string | null; name?: string | null; componentType?: string | null; componentName?: string | null };
}

export const MATCH_OPERATORS = ['EQUALS', 'NOT_EQUALS', 'EQUALS_IGNORE_CASE', 'NOT_EQUALS_IGNORE_CASE', 'IN', 'NOT_IN', 'CONTAINS'] as const;

const CR_TYPES_OF: Record<IssuerType, readonly string[] | 'any'> = {
  kubernetes: ['IKS_SA', 'ROKS_SA'],
  code_engine: ['CE'],
  oidc: 'any',
};

function compatible(identity: WorkloadIdentity, crType: string | null | undefined): boolean {
  const allowed = CR_TYPES_OF[identity.issuer.type];
  if (allowed === 'any') return true;
  return crType !== undefined && crType !== null && allowed.includes(crType);
}

/** A nested claim by a dotted path; a key that itself holds dots (`kubernetes.io`) is found whole. */
export function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  for (let dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1)) {
    const head = path.slice(0, dot);
    const next = Object.hasOwn(claims, head) ? claims[head] : undefined;
    if (next !== null && typeof next === 'object' && !Array.isArray(next)) {
      const found = claimAt(next as Record<string, unknown>, path.slice(dot + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The value a condition's claim names for this token (see above); undefined when absent. */
export function factOf(identity: WorkloadIdentity, claim: string): unknown {
  switch (claim) {
    case 'crn':
      return identity.crn;
    case 'namespace':
      return identity.namespace;
    case 'name':
      return identity.name;
    case 'component_type':
      return identity.componentType;
    case 'component_name':
      return identity.componentName;
    default:
      return claimAt(identity.claims, claim);
  }
}

export function conditionMatches(identity: WorkloadIdentity, condition: CrCondition): boolean {
  const facts = { [condition.claim]: factOf(identity, condition.claim) };
  if (condition.operator === 'NOT_IN') {
    if (facts[condition.claim] === undefined || facts[condition.claim] === null) return false;
    return !conditionHolds({ claim: condition.claim, operator: 'IN', value: condition.value }, facts);
  }
  if (!(MATCH_OPERATORS as readonly string[]).includes(condition.operator)) return false;
  return conditionHolds({ claim: condition.claim, operator: condition.operator as Operator, value: condition.value }, facts);
}

/** Whether a `Profile-CR` rule matches: a compatible cr_type and at least one condition, all holding. */
export function ruleMatches(identity: WorkloadIdentity, rule: CrRule): boolean {
  if (rule.type !== 'Profile-CR' || !compatible(identity, rule.crType)) return false;
  return rule.conditions.length > 0 && rule.conditions.every((c) => conditionMatches(identity, c));
}

/**
 * Whether a link matches: its `crn` is the token's compute resource, and each of namespace, name,
 * component type and component name it gives equals the token's (case-sensitive).
 */
export function linkMatches(identity: WorkloadIdentity, link: CrLink): boolean {
  const l = link.link;
  if (!l.crn || l.crn !== identity.crn) return false;
  if (!compatible(identity, link.crType)) return false;
  const same = (wanted: string | null | undefined, actual: string | undefined) => !wanted || wanted === actual;
  return same(l.namespace, identity.namespace) && same(l.name, identity.name) && same(l.componentType, identity.componentType) && same(l.componentName, identity.componentName);
}

/** What a token may assume of one profile: whether it matches, and the rules that matched. */
export function matchProfile(identity: WorkloadIdentity, rules: readonly CrRule[], links: readonly CrLink[]): { matched: boolean; rules: CrRule[]; links: CrLink[] } {
  const matchedRules = rules.filter((r) => ruleMatches(identity, r));
  const matchedLinks = links.filter((l) => linkMatches(identity, l));
  return { matched: matchedRules.length > 0 || matchedLinks.length > 0, rules: matchedRules, links: matchedLinks };
}
