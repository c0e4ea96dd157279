/**
 * Time-based conditions of an access policy (reference/authz.md §2.3): temporary access between
 * two instants, or recurring access on chosen weekdays (all day or between two times), written in
 * a fixed UTC offset. IBM's conditions take fixed offsets (no daylight-saving rules), so a time zone
 * is turned into the offset it has on the day the policy is written.
 */

export type Conditions =
  | { kind: 'none' }
  | { kind: 'temporary'; from: string; until: string; timeZone: string }
  | { kind: 'weekly'; days: number[]; allDay: boolean; start: string; end: string; timeZone: string };

/** `+hh:mm` of a time zone at `at` (Intl's `longOffset`, e.g. `GMT+05:30`; `GMT` alone is UTC). */
export function offsetOf(timeZone: string, at = new Date()): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName');
  const text = part?.value.replace('GMT', '') ?? '';
  return text === '' ? '+00:00' : text;
}

/** The time zones to choose from: the browser's own first, then every zone it knows. */
export function timeZones(): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? ['UTC'];
  return [own, ...all.filter((z) => z !== own)];
}

const time = (hhmm: string, offset: string) => `${hhmm.length === 5 ? `${hhmm}:00` : hhmm}${offset}`;
const dateTime = (local: string, offset: string) => `${local.length === 16 ? `${local}:00` : local}${offset}`;

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** The policy's `rule` and `pattern` for the conditions (none for `none`), or why they are incomplete. */
export function ruleOf(c: Conditions): { rule?: unknown; pattern?: string; problem?: string } {
  switch (c.kind) {
    case 'none':
      return {};
    case 'temporary': {
      if (!c.from || !c.until) return { problem: 'Choose when the access starts and ends.' };
      if (c.from >= c.until) return { problem: 'The access must end after it starts.' };
      const offset = offsetOf(c.timeZone, new Date(c.from));
      return {
        pattern: 'time-based-conditions:once',
        rule: {
          operator: 'and',
          conditions: [
            { key: '{{environment.attributes.current_date_time}}', operator: 'dateTimeGreaterThanOrEquals', value: dateTime(c.from, offset) },
            { key: '{{environment.attributes.current_date_time}}', operator: 'dateTimeLessThanOrEquals', value: dateTime(c.until, offsetOf(c.timeZone, new Date(c.until))) },
          ],
        },
      };
    }
    case 'weekly': {
      if (c.days.length === 0) return { problem: 'Choose at least one day.' };
      const offset = offsetOf(c.timeZone);
      const days = { key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value: [...c.days].sort().map((d) => `${d}${offset}`) };
      if (c.allDay) return { pattern: 'time-based-conditions:weekly:all-day', rule: { operator: 'and', conditions: [days] } };
      if (!c.start || !c.end) return { problem: 'Choose the hours.' };
      if (c.start >= c.end) return { problem: 'The hours must end after they start.' };
      return {
        pattern: 'time-based-conditions:weekly:custom-hours',
        rule: {
          operator: 'and',
          conditions: [
            days,
            { key: '{{environment.attributes.current_time}}', operator: 'timeGreaterThanOrEquals', value: time(c.start, offset) },
            { key: '{{environment.attributes.current_time}}', operator: 'timeLessThanOrEquals', value: time(c.end, offset) },
          ],
        },
      };
    }
  }
}

/** The conditions in words, for the review step. */
export function describeConditions(c: Conditions): string {
  switch (c.kind) {
    case 'none':
      return 'Always (no conditions)';
    case 'temporary':
      return `From ${c.from.replace('T', ' ')} until ${c.until.replace('T', ' ')} (${c.timeZone})`;
    case 'weekly':
      return `${[...c.days].sort().map((d) => WEEKDAYS[d - 1]).join(', ')}, ${c.allDay ? 'all day' : `${c.start}–${c.end}`} (${c.timeZone}, UTC${offsetOf(c.timeZone)})`;
  }
}
