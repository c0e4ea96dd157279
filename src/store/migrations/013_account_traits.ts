import type { Migration } from './types.js';

/**
 * The traits a child account was created with (Enterprise Management `createAccount`): `mfa`, the
 * MFA level it started with ('' when the creator opted out), and `enterprise_iam_managed` (0/1).
 * NULL for the enterprise account and imported accounts, which were not created with traits.
 */
export const accountTraits: Migration = {
  version: '013_account_traits',
  statements: () => [
    `ALTER TABLE enterprise_accounts ADD COLUMN mfa TEXT`,
    `ALTER TABLE enterprise_accounts ADD COLUMN enterprise_iam_managed INTEGER`,
  ],
};
