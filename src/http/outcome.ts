import type { Outcome } from '../kernel/outcome.js';
import { statusOfError } from './errors.js';

/** The HTTP status of one item's outcome: `success` for a value, its error's status otherwise. */
export const statusOfOutcome = (outcome: Outcome<unknown>, success: number): number =>
  outcome.ok ? success : statusOfError(outcome.error);
