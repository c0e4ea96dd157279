/** Timestamp formats of the IBM APIs (shared/reference/conventions.md §6). */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Identity API format: `yyyy-MM-ddTHH:mm+0000` (minutes, UTC). */
export function identityTimestamp(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}+0000`;
}

/**
 * Parses the Identity API's `yyyy-MM-ddTHH:mm+0000` (also accepting seconds and any ISO 8601 offset);
 * returns undefined when the text is not such a timestamp.
 */
export function parseIdentityTimestamp(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!m) return undefined;
  const offset = m[7] === 'Z' ? 'Z' : `${m[7]!.slice(0, 3)}:${m[7]!.slice(-2)}`;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${offset}`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Access-groups format: RFC 3339 seconds with `Z`. */
export const secondsTimestamp = (iso: string) => `${iso.slice(0, 19)}Z`;
