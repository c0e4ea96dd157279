/**
 * Counted text, written once: "1 access group", "2 access groups", "0 items". Every count the
 * console shows goes through `counted`, so none reads "1 items" or "role(s)".
 */

/** A noun's singular and plural ("service ID" / "service IDs"); the plural defaults to one + "s". */
export interface Noun {
  one: string;
  many: string;
}

export const noun = (one: string, many = `${one}s`): Noun => ({ one, many });

/** The count with the noun in the form it takes. */
export const counted = (count: number, what: Noun): string => `${count} ${count === 1 ? what.one : what.many}`;
