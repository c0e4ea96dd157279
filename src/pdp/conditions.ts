import { DomainError } from '../kernel/errors.js';
import type { ResourceAttributes, Rule, RuleCondition, RuleGroup } from './types.js';

/**
 * Attribute tests and v2 policy rules (authz.md §2.3), compiled once per policy so a decision only
 * runs closures over strings and numbers.
 *
 * Time zones. IBM's values carry a fixed offset (`09:00:00+01:00`, `"1+00:00"`,
 * `2024-05-01T09:00:00-05:00`) and "now" is converted to that offset, so a weekday schedule written
 * for Berlin in winter is an hour off in summer. Portcullis also accepts an IANA zone in square
 * brackets in place of the offset, RFC 9557 style: `09:00:00[Europe/Berlin]`, `"1[Europe/Berlin]"`,
 * `2024-03-31[Europe/Berlin]`, `2024-03-31T09:00:00[Europe/Berlin]`. "Now" is then converted with
 * the zone's rules at that instant (Intl), so the condition follows daylight saving time. A
 * date-time with a zone names a wall-clock time; in a gap (spring forward) it means the instant the
 * same number of minutes after the gap starts, in an overlap (fall back) the earlier instant.
 */

export type StringTest = (value: string | undefined) => boolean;

export const invalidPolicy = (message: string) => new DomainError('invalid', 'invalid_policy', message);

// ---------------------------------------------------------------------------------------------
// String operators and wildcards

/**
 * `*` matches any run of characters (also none), `?` exactly one, `{{*}}` and `{{?}}` the literal
 * characters; matching is case-sensitive and covers the whole value.
 */
export function compileWildcard(pattern: string): StringTest {
  const parts = pattern.split(/(\{\{\*\}\}|\{\{\?\}\}|\*|\?)/);
  const hasWildcard = parts.some((p) => p === '*' || p === '?');
  const literal = (p: string) => (p === '{{*}}' ? '*' : p === '{{?}}' ? '?' : p);
  if (!hasWildcard) {
    const exact = parts.map(literal).join('');
    return (v) => v === exact;
  }
  if (parts.length === 3 && parts[1] === '*' && parts[2] === '') {
    const prefix = literal(parts[0]!);
    return prefix === '' ? (v) => v !== undefined : (v) => v !== undefined && v.startsWith(prefix);
  }
  const source = parts
    .map((p) => (p === '*' ? '[\\s\\S]*' : p === '?' ? '[\\s\\S]' : literal(p).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, 'u');
  return (v) => v !== undefined && regex.test(v);
}

/** A resource, tag, subject or rule string test: stringEquals, stringExists, stringMatch, …AnyOf. */
export function compileStringTest(operator: string, value: unknown, where: string): StringTest {
  switch (operator) {
    case 'stringEquals': {
      const expected = scalarString(value, where);
      return (v) => v === expected;
    }
    case 'stringMatch':
      return compileWildcard(scalarString(value, where));
    case 'stringExists': {
      const present = value === true || value === 'true';
      if (!present && value !== false && value !== 'false') throw invalidPolicy(`${where}: stringExists takes true or false.`);
      return present ? (v) => v !== undefined : (v) => v === undefined;
    }
    case 'stringEqualsAnyOf': {
      const values = stringList(value, where);
      if (values.length <= 4) return (v) => v !== undefined && values.includes(v);
      const set = new Set(values);
      return (v) => v !== undefined && set.has(v);
    }
    case 'stringMatchAnyOf': {
      const tests = stringList(value, where).map(compileWildcard);
      return (v) => {
        for (const test of tests) if (test(v)) return true;
        return false;
      };
    }
    default:
      throw invalidPolicy(`${where}: unsupported operator ${operator}.`);
  }
}

function scalarString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw invalidPolicy(`${where}: value must be a string.`);
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidPolicy(`${where}: value must be a non-empty list.`);
  return value.map((v) => scalarString(v, where));
}

// ---------------------------------------------------------------------------------------------
// Time zones

type Zone = { offsetMs: number } | { iana: string };

const MINUTE = 60_000;
const DAY = 86_400_000;

interface ZoneClock {
  readonly format: Intl.DateTimeFormat;
  /** The UTC minute the cached offset was computed for. */
  minute: number;
  offsetMs: number;
}

/** One formatter per zone; the offset is cached per UTC minute (zone transitions fall on minutes). */
const zoneClocks = new Map<string, ZoneClock>();

function zoneClock(iana: string): ZoneClock {
  let clock = zoneClocks.get(iana);
  if (!clock) {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: iana,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    clock = { format, minute: Number.NaN, offsetMs: 0 };
    zoneClocks.set(iana, clock);
  }
  return clock;
}

/** The zone's UTC offset at an instant. */
function ianaOffsetMs(iana: string, atMs: number): number {
  const clock = zoneClock(iana);
  const minute = Math.floor(atMs / MINUTE);
  if (minute !== clock.minute) {
    const fields: Record<string, number> = {};
    for (const part of clock.format.formatToParts(minute * MINUTE)) {
      if (part.type !== 'literal') fields[part.type] = Number(part.value);
    }
    const wall = Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
    clock.minute = minute;
    clock.offsetMs = wall - minute * MINUTE;
  }
  return clock.offsetMs;
}

const offsetAt = (zone: Zone, atMs: number) => ('offsetMs' in zone ? zone.offsetMs : ianaOffsetMs(zone.iana, atMs));

/** Milliseconds since the epoch of the local wall clock in `zone` at `nowMs`. */
const localMs = (zone: Zone, nowMs: number) => nowMs + offsetAt(zone, nowMs);

/** The instant at which the wall clock in an IANA zone shows `wallMs` (see the module comment). */
function instantOfWallTime(iana: string, wallMs: number): number {
  const before = ianaOffsetMs(iana, wallMs - DAY);
  const after = ianaOffsetMs(iana, wallMs + DAY);
  // The larger offset gives the earlier instant, preferred in an overlap.
  for (const offset of before >= after ? [before, after] : [after, before]) {
    if (ianaOffsetMs(iana, wallMs - offset) === offset) return wallMs - offset;
  }
  return wallMs - before;
}

function parseZone(text: string, where: string): Zone {
  if (text === '' || text === 'Z') return { offsetMs: 0 };
  const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (offset) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3]);
    return { offsetMs: (offset[1] === '-' ? -minutes : minutes) * MINUTE };
  }
  const iana = /^\[([A-Za-z0-9_+\-/]+)\]$/.exec(text);
  if (iana) {
    try {
      zoneClock(iana[1]!);
    } catch {
      throw invalidPolicy(`${where}: unknown time zone ${iana[1]}.`);
    }
    return { iana: iana[1]! };
  }
  throw invalidPolicy(`${where}: "${text}" is neither an offset (+hh:mm) nor a time zone ([Area/City]).`);
}

// ---------------------------------------------------------------------------------------------
// Rules

/** What a rule can look at. `nowMs` is injected by the caller; rules never read the clock. */
export interface RuleContext {
  nowMs: number;
  resource: ResourceAttributes;
  environment: Readonly<Record<string, string | undefined>> | undefined;
}

export type CompiledRule = (ctx: RuleContext) => boolean;

const ENV_PREFIX = '{{environment.attributes.';
const RESOURCE_PREFIX = '{{resource.attributes.';
const TIME_KEY = '{{environment.attributes.current_time}}';
const DATE_TIME_KEY = '{{environment.attributes.current_date_time}}';
const DATE_KEY = '{{environment.attributes.current_date}}';
const DAY_KEY = '{{environment.attributes.day_of_week}}';

type Comparison = 'LessThan' | 'LessThanOrEquals' | 'GreaterThan' | 'GreaterThanOrEquals';

function comparator(kind: Comparison): (a: number, b: number) => boolean {
  switch (kind) {
    case 'LessThan':
      return (a, b) => a < b;
    case 'LessThanOrEquals':
      return (a, b) => a <= b;
    case 'GreaterThan':
      return (a, b) => a > b;
    case 'GreaterThanOrEquals':
      return (a, b) => a >= b;
  }
}

/** Compiles a rule: one condition, or and/or over conditions with at most one nested group. */
export function compileRule(rule: Rule): CompiledRule {
  return compileNode(rule, 1, 'rule');
}

function compileNode(node: Rule, depth: number, where: string): CompiledRule {
  if ('conditions' in node) return compileGroup(node, depth, where);
  return compileCondition(node, where);
}

function compileGroup(group: RuleGroup, depth: number, where: string): CompiledRule {
  if (depth > 2) throw invalidPolicy(`${where}: rules nest at most two levels.`);
  if (group.operator !== 'and' && group.operator !== 'or') throw invalidPolicy(`${where}: operator must be "and" or "or".`);
  if (!Array.isArray(group.conditions) || group.conditions.length === 0) throw invalidPolicy(`${where}: conditions must be a non-empty list.`);
  const parts = group.conditions.map((c, i) => compileNode(c, depth + 1, `${where}.conditions[${i}]`));
  if (group.operator === 'and') {
    return (ctx) => {
      for (const part of parts) if (!part(ctx)) return false;
      return true;
    };
  }
  return (ctx) => {
    for (const part of parts) if (part(ctx)) return true;
    return false;
  };
}

function compileCondition(condition: RuleCondition, where: string): CompiledRule {
  const { key, operator, value } = condition;
  if (typeof key !== 'string' || typeof operator !== 'string') throw invalidPolicy(`${where}: a condition needs key, operator and value.`);
  const temporal = /^(time|dateTime|date)(LessThan|LessThanOrEquals|GreaterThan|GreaterThanOrEquals)$/.exec(operator);
  if (temporal) return compileTemporal(temporal[1] as 'time' | 'dateTime' | 'date', temporal[2] as Comparison, key, value, where);
  if (operator === 'dayOfWeekEquals' || operator === 'dayOfWeekAnyOf') return compileDayOfWeek(operator, key, value, where);
  const test = compileStringTest(operator, value, where);
  if (key.startsWith(RESOURCE_PREFIX) && key.endsWith('}}')) {
    const attribute = key.slice(RESOURCE_PREFIX.length, -2);
    return (ctx) => test(ctx.resource[attribute]);
  }
  if (key.startsWith(ENV_PREFIX) && key.endsWith('}}')) {
    const attribute = key.slice(ENV_PREFIX.length, -2);
    return (ctx) => test(ctx.environment?.[attribute]);
  }
  throw invalidPolicy(`${where}: unsupported key ${key}.`);
}

function compileTemporal(kind: 'time' | 'dateTime' | 'date', comparison: Comparison, key: string, value: unknown, where: string): CompiledRule {
  const expectedKey = kind === 'time' ? [TIME_KEY] : kind === 'dateTime' ? [DATE_TIME_KEY] : [DATE_KEY, DATE_TIME_KEY];
  if (!expectedKey.includes(key)) throw invalidPolicy(`${where}: ${kind} operators apply to ${expectedKey.join(' or ')}.`);
  if (typeof value !== 'string') throw invalidPolicy(`${where}: value must be a string.`);
  const compare = comparator(comparison);

  if (kind === 'time') {
    const m = /^(\d{2}):(\d{2})(?::(\d{2}))?(.*)$/.exec(value);
    if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) throw invalidPolicy(`${where}: "${value}" is not hh:mm:ss±hh:mm.`);
    const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
    const zone = parseZone(m[4]!, where);
    return (ctx) => compare(Math.floor((((localMs(zone, ctx.nowMs) % DAY) + DAY) % DAY) / 1000), seconds);
  }
  if (kind === 'date') {
    const m = /^(\d{4})-(\d{2})-(\d{2})(.*)$/.exec(value);
    if (!m) throw invalidPolicy(`${where}: "${value}" is not yyyy-mm-dd.`);
    const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY;
    if (!Number.isInteger(day)) throw invalidPolicy(`${where}: "${value}" is not a date.`);
    const zone = parseZone(m[4]!, where);
    return (ctx) => compare(Math.floor(localMs(zone, ctx.nowMs) / DAY), day);
  }
  const zoned = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(\[.+\])$/.exec(value);
  let instant: number;
  if (zoned) {
    const wall = Date.UTC(Number(zoned[1]), Number(zoned[2]) - 1, Number(zoned[3]), Number(zoned[4]), Number(zoned[5]), Number(zoned[6] ?? 0));
    const zone = parseZone(zoned[7]!, where);
    instant = 'offsetMs' in zone ? wall - zone.offsetMs : instantOfWallTime(zone.iana, wall);
  } else {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
      throw invalidPolicy(`${where}: "${value}" is not an ISO 8601 date-time with an offset.`);
    }
    instant = Date.parse(value);
  }
  if (Number.isNaN(instant)) throw invalidPolicy(`${where}: "${value}" is not a date-time.`);
  return (ctx) => compare(ctx.nowMs, instant);
}

function compileDayOfWeek(operator: 'dayOfWeekEquals' | 'dayOfWeekAnyOf', key: string, value: unknown, where: string): CompiledRule {
  if (key !== DAY_KEY) throw invalidPolicy(`${where}: ${operator} applies to ${DAY_KEY}.`);
  const raw = Array.isArray(value) ? value : [value];
  if (raw.length === 0 || (operator === 'dayOfWeekEquals' && raw.length !== 1)) {
    throw invalidPolicy(`${where}: ${operator} takes ${operator === 'dayOfWeekEquals' ? 'one day' : 'a list of days'}.`);
  }
  const days = raw.map((v) => {
    const m = /^([1-7])(.*)$/.exec(String(v));
    if (!m) throw invalidPolicy(`${where}: "${String(v)}" is not a day 1 (Monday) … 7 (Sunday).`);
    return { day: Number(m[1]), zone: parseZone(m[2]!, where) };
  });
  return (ctx) => {
    for (const { day, zone } of days) if (isoWeekday(localMs(zone, ctx.nowMs)) === day) return true;
    return false;
  };
}

/** ISO weekday 1 = Monday … 7 = Sunday of a local epoch time (1970-01-01 was a Thursday). */
const isoWeekday = (local: number) => ((((Math.floor(local / DAY) + 3) % 7) + 7) % 7) + 1;
