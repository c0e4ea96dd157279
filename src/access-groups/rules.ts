import { accessGroupErrors } from './errors.js';
import { OPERATORS, type CheckedRuleInput, type Operator, type Rule, type RuleCondition, type RuleInput } from './types.js';

/**
 * Dynamic membership: which access groups a federated user joins at sign-in, from the claims of
 * their assertion. Pure functions, no I/O, time passed in.
 *
 * Semantics (IBM documents the operators, not their edge cases; these are our choices):
 * - A rule applies only to sign-ins from its `realm_name` (exact match) and only when every one of
 *   its conditions holds.
 * - A claim's values: an array claim is multi-valued (each element one value), any other claim is
 *   one value; values compare as text (`true`, `42`). An absent or null claim satisfies no
 *   condition, not even a NOT_EQUALS one: membership is granted only on asserted facts.
 * - A condition's `value` is JSON-encoded text as IBM asks (`"\"admins\""`, `"true"`,
 *   `"[\"a\",\"b\"]"`); text that is not JSON is taken literally, so `admins` means `"admins"`.
 * - EQUALS: the claim has exactly one value and it equals the value. NOT_EQUALS: the claim is
 *   present and EQUALS does not hold. The *_IGNORE_CASE forms compare lower-cased text.
 * - IN: the value is a list (a single value is a list of one) and every value of the claim is in it.
 * - CONTAINS: a multi-valued claim has an element equal to the value; a single text claim contains
 *   the value as a substring.
 */

export interface FederatedLogin {
  /** The identity provider the user signed in through (matched against `realm_name`). */
  realmName: string;
  /** The claims (SAML attributes / OIDC claims) of the assertion. */
  claims: Readonly<Record<string, unknown>>;
}

/** A group the user joins, until when, and the rules that granted it. */
export interface DynamicGrant {
  groupId: string;
  /** ISO-8601: now plus the longest expiration among the matching rules of the group. */
  expiresAt: string;
  ruleIds: string[];
}

export type EvaluableRule = Pick<Rule, 'id' | 'groupId' | 'expiration' | 'realmName' | 'conditions'>;

const HOUR_MS = 3_600_000;

/**
 * The groups a sign-in grants: one entry per group with at least one matching rule, ordered by
 * group id.
 */
export function evaluateRules(rules: readonly EvaluableRule[], login: FederatedLogin, now: Date): DynamicGrant[] {
  const grants = new Map<string, DynamicGrant>();
  for (const rule of rules) {
    if (rule.realmName !== login.realmName) continue;
    if (!rule.conditions.every((condition) => conditionHolds(condition, login.claims))) continue;
    const expiresAt = new Date(now.getTime() + rule.expiration * HOUR_MS).toISOString();
    const grant = grants.get(rule.groupId);
    if (!grant) {
      grants.set(rule.groupId, { groupId: rule.groupId, expiresAt, ruleIds: [rule.id] });
    } else {
      grant.ruleIds.push(rule.id);
      if (expiresAt > grant.expiresAt) grant.expiresAt = expiresAt;
    }
  }
  return [...grants.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

export function conditionHolds(condition: RuleCondition, claims: Readonly<Record<string, unknown>>): boolean {
  const claim = claimValues(claims[condition.claim]);
  if (claim === undefined) return false;
  const actual = claim.values;
  const expected = conditionValues(condition.value);
  const lower = (values: string[]) => values.map((v) => v.toLowerCase());
  switch (condition.operator) {
    case 'EQUALS':
      return equalsOne(actual, expected);
    case 'NOT_EQUALS':
      return !equalsOne(actual, expected);
    case 'EQUALS_IGNORE_CASE':
      return equalsOne(lower(actual), lower(expected));
    case 'NOT_EQUALS_IGNORE_CASE':
      return !equalsOne(lower(actual), lower(expected));
    case 'IN':
      return actual.length > 0 && actual.every((v) => expected.includes(v));
    case 'CONTAINS': {
      const wanted = expected[0];
      if (wanted === undefined) return false;
      return claim.multi ? actual.includes(wanted) : (actual[0] ?? '').includes(wanted);
    }
  }
}

const equalsOne = (actual: string[], expected: string[]) =>
  actual.length === 1 && expected.length === 1 && actual[0] === expected[0];

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** A claim's values as text (`multi` for arrays); undefined when the claim is absent or null. */
function claimValues(claim: unknown): { values: string[]; multi: boolean } | undefined {
  if (claim === undefined || claim === null) return undefined;
  if (Array.isArray(claim)) return { values: claim.filter((v) => v !== null && v !== undefined).map(text), multi: true };
  return { values: [text(claim)], multi: false };
}

/** A condition value as a list of texts: a JSON array is many values, anything else one. */
function conditionValues(value: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [value];
  }
  return Array.isArray(parsed) ? parsed.map(text) : [text(parsed)];
}

const MAX_CONDITIONS = 50;
const MAX_TEXT = 1024;

/**
 * Checks a rule as a client sent it: expiration an integer of hours 1–24, a realm, 1–50
 * conditions each with a claim, one of IBM's operators and a value (a list only for IN). Returns
 * the input with the name trimmed; throws 400 naming the first problem.
 */
export function checkRuleInput(input: RuleInput): CheckedRuleInput {
  const bad = accessGroupErrors.invalid;
  if (!Number.isInteger(input.expiration) || input.expiration < 1 || input.expiration > 24) {
    throw bad('expiration must be a whole number of hours from 1 to 24.');
  }
  if (input.realmName.trim() === '' || input.realmName.length > MAX_TEXT) {
    throw bad(`realm_name must be the URL of the identity provider, 1 to ${MAX_TEXT} characters.`);
  }
  const name = input.name?.trim();
  if (name !== undefined && name.length > 100) throw bad('The rule name is limited to 100 characters.');
  if (input.conditions.length === 0 || input.conditions.length > MAX_CONDITIONS) {
    throw bad(`A rule needs 1 to ${MAX_CONDITIONS} conditions.`);
  }
  const conditions = input.conditions.map((condition, i): RuleCondition => {
    if (condition.claim.trim() === '' || condition.claim.length > MAX_TEXT) throw bad(`conditions[${i}].claim must not be empty.`);
    if (!(OPERATORS as readonly string[]).includes(condition.operator)) {
      throw bad(`conditions[${i}].operator "${condition.operator}" is not one of ${OPERATORS.join(', ')}.`);
    }
    if (condition.value.length > MAX_TEXT) throw bad(`conditions[${i}].value is limited to ${MAX_TEXT} characters.`);
    if (condition.operator !== 'IN' && conditionValues(condition.value).length !== 1) {
      throw bad(`conditions[${i}].value must be a single value for operator ${condition.operator}; only IN takes a list.`);
    }
    return { claim: condition.claim, operator: condition.operator as Operator, value: condition.value };
  });
  return { ...input, conditions, ...(name !== undefined ? { name } : {}) };
}
