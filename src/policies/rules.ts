import type { Rule, RuleCondition } from '../pdp/types.js';
import { policyErrors } from './errors.js';

/**
 * The v2 `rule`/`pattern` checks the decision point's compiler does not make (authz.md §2.3): the
 * rule's JSON shape, at most 10 conditions, a known `pattern` that is present exactly when a rule
 * is, conditions that fit the pattern, and no mixing of once-only and weekly conditions. Value
 * formats, keys and nesting depth are checked by compiling the policy (validate.ts), so the rules
 * of what a condition means live in one place, src/pdp/conditions.ts.
 */

export const MAX_CONDITIONS = 10;

type Family = 'once' | 'weekly' | 'attribute';

/** What each pattern admits; the older `time-based-conditions:weekly` is kept as custom-hours. */
const PATTERNS: Readonly<Record<string, ReadonlySet<string>>> = {
  'time-based-conditions:once': new Set(['once']),
  'time-based-conditions:weekly:all-day': new Set(['day']),
  'time-based-conditions:weekly:custom-hours': new Set(['day', 'time']),
  'time-based-conditions:weekly': new Set(['day', 'time']),
  'attribute-based-condition:resource:literal-and-wildcard': new Set(['string']),
};

type Kind = 'once' | 'day' | 'time' | 'string';

function kindOf(operator: string): Kind {
  if (/^date(Time)?(LessThan|GreaterThan)/.test(operator)) return 'once';
  if (operator.startsWith('dayOfWeek')) return 'day';
  if (operator.startsWith('time')) return 'time';
  return 'string';
}

const familyOf: Record<Kind, Family> = { once: 'once', day: 'weekly', time: 'weekly', string: 'attribute' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The leaf conditions of a rule, checking its JSON shape on the way. */
function leaves(node: unknown, where: string): RuleCondition[] {
  if (!isObject(node)) throw policyErrors.invalidBody(`${where} must be an object.`);
  if ('conditions' in node) {
    if (!Array.isArray(node.conditions)) throw policyErrors.invalidBody(`${where}.conditions must be a list.`);
    if (typeof node.operator !== 'string') throw policyErrors.invalidBody(`${where}.operator must be "and" or "or".`);
    return node.conditions.flatMap((c: unknown, i: number) => leaves(c, `${where}.conditions[${i}]`));
  }
  if (typeof node.key !== 'string' || typeof node.operator !== 'string' || node.value === undefined) {
    throw policyErrors.invalidBody(`${where} needs key, operator and value.`);
  }
  return [node as unknown as RuleCondition];
}

/** Throws invalid_body when the rule and pattern break one of the checks above. */
export function checkRuleAndPattern(rule: Rule | undefined, pattern: string | undefined): void {
  if (rule === undefined) {
    if (pattern !== undefined) throw policyErrors.invalidBody('A pattern needs a rule.');
    return;
  }
  if (pattern === undefined) throw policyErrors.invalidBody('A policy with a rule needs a pattern.');
  const admitted = PATTERNS[pattern];
  if (!admitted) throw policyErrors.invalidBody(`Unknown pattern ${pattern}; use one of ${Object.keys(PATTERNS).join(', ')}.`);
  const conditions = leaves(rule, 'rule');
  if (conditions.length > MAX_CONDITIONS) {
    throw policyErrors.invalidBody(`A rule has at most ${MAX_CONDITIONS} conditions, not ${conditions.length}.`);
  }
  const kinds = new Set(conditions.map((c) => kindOf(c.operator)));
  const families = new Set([...kinds].map((k) => familyOf[k]));
  if (families.has('once') && families.has('weekly')) {
    throw policyErrors.invalidBody('Once-only (date-time) and weekly (day of week, time) conditions cannot be mixed in one policy.');
  }
  for (const kind of kinds) {
    if (!admitted.has(kind)) throw policyErrors.invalidBody(`Pattern ${pattern} does not admit ${describe[kind]} conditions.`);
  }
}

const describe: Record<Kind, string> = {
  once: 'date or date-time',
  day: 'day-of-week',
  time: 'time-of-day',
  string: 'resource attribute',
};
