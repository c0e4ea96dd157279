import { invalid } from '../kernel/errors.js';

/** Errors of the audit API (the API handbook's error shape). */
export const auditErrors = {
  badStart: () => invalid('The start cursor is not valid: pass the `start` of a previous page\'s `next`.'),
  badTime: (name: string) => invalid(`${name} must be a date and time in ISO 8601 (e.g. 2026-01-31T23:59:59Z).`),
  badRange: () => invalid('from must not be later than to.'),
  badAction: () => invalid('action must be an action name, or a prefix followed by a single trailing `*`.'),
};
