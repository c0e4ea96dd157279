import type { AttributeCondition } from '../pdp/types.js';
import { policyErrors } from './errors.js';
import type { PolicyRecord } from './types.js';

/** What a rendering needs beyond the policy: where the API lives, and what the roles are called. */
export interface RenderContext {
  /** The site's public URL, for `href`s. */
  baseUrl: string;
  roles: RoleBook;
  /** `format=display`: v2 roles carry their actions. */
  display?: boolean;
  /** `format=include_last_permit`: usage (`last_permit_at`, `last_permit_frequency`) is shown. */
  lastPermit?: boolean;
}

export interface RoleAction {
  id: string;
  display_name: string;
  description: string;
}

/** Role names and action lists, system and custom, as one lookup (built per request). */
export interface RoleBook {
  describe(crn: string): { displayName: string; description?: string } | undefined;
  /** The actions `crn` grants on the services the policy targets. */
  actionsOn(crn: string, policy: PolicyRecord): RoleAction[];
}

/** The `accountId` resource attribute comes first in every rendering, as IBM lists it. */
export const ACCOUNT_ATTRIBUTE = 'accountId';

/**
 * Splits wire resource attributes into the account (required, `stringEquals`) and the rest. Shared
 * by both syntaxes, so v1 and v2 refuse a missing or odd account the same way.
 */
export function splitAccount(attributes: AttributeCondition[]): { accountId: string; rest: AttributeCondition[] } {
  const accounts = attributes.filter((a) => a.key === ACCOUNT_ATTRIBUTE);
  const account = accounts[0];
  if (accounts.length !== 1 || !account) {
    throw policyErrors.invalidBody('The resource must have exactly one accountId attribute.');
  }
  if (account.operator !== 'stringEquals' || typeof account.value !== 'string' || account.value === '') {
    throw policyErrors.invalidBody('The accountId resource attribute must be a non-empty string with operator stringEquals.');
  }
  return { accountId: account.value, rest: attributes.filter((a) => a !== account) };
}

export const policyHref = (baseUrl: string, version: 'v1' | 'v2', id: string) => `${baseUrl}/${version}/policies/${id}`;
