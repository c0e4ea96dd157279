import { DomainError } from '../kernel/errors.js';

/**
 * Errors of the token endpoint. The token API reports IBM message codes (`BXNIM…`) as `errorCode`
 * (tokens.md §4); `code` stays a stable snake_case name for logs. Every grant failure is a 400,
 * as on IBM IAM (measured for BXNIM0415E), except the wrong-method 405.
 *
 * IBM documents no codes for a disabled or expired API key; those reuse BXNIM0415E (the key cannot
 * be used, as if unknown) with a message that says why. A refresh token that can no longer be used
 * because its identity changed reuses BXNIM0407E with the reason.
 */
const grantError = (code: string, messageCode: string, message: string, more?: string) =>
  new DomainError('invalid', code, message, { messageCode, ...(more ? { more } : {}) });

export const tokenErrors = {
  missingProperty: (property: string) =>
    grantError('missing_property', 'BXNIM0109E', `Property missing or empty: ${property}.`, `The form field '${property}' is required and must not be empty.`),
  invalidProperty: (property: string, detail: string) =>
    grantError('invalid_property', 'BXNIM0106E', `Property validation failed: ${property}.`, detail),
  notForm: () =>
    grantError(
      'invalid_content_type',
      'BXNIM0109E',
      'The request body must be application/x-www-form-urlencoded.',
      'Send the token request as an HTML form (Content-Type: application/x-www-form-urlencoded).',
    ),

  apiKeyNotFound: () => grantError('apikey_not_found', 'BXNIM0415E', 'Provided API key could not be found.'),
  apiKeyDisabled: () =>
    grantError('apikey_disabled', 'BXNIM0415E', 'Provided API key is disabled.', 'Enable the API key before using it.'),
  apiKeyExpired: () => grantError('apikey_expired', 'BXNIM0415E', 'Provided API key has expired.'),
  apiKeyLocked: () =>
    grantError('apikey_locked', 'BXNIM0415E', 'Provided API key is locked.', 'Unlock the API key before using it.'),
  serviceIdLocked: () =>
    grantError('serviceid_locked', 'BXNIM0415E', 'The service ID of the provided API key is locked.', 'Unlock the service ID before using its API keys.'),
  apiKeyOtherAccount: (accountId: string) =>
    grantError(
      'apikey_other_account',
      'BXNIM0141E',
      `The API key cannot be used for account ${accountId}.`,
      'A user API key yields tokens only in the account it was created in; create an API key in that account.',
    ),
  notAccountMember: (accountId: string) =>
    grantError('not_account_member', 'BXNIM0141E', `The identity is not a member of account ${accountId}.`),

  refreshTokenInvalid: (reason = 'It is unknown, was already used, or was revoked.') =>
    grantError('invalid_refresh_token', 'BXNIM0407E', 'Provided refresh token is invalid.', reason),
  refreshTokenExpired: () => grantError('expired_refresh_token', 'BXNIM0408E', 'Provided refresh token is expired.'),

  clientRequired: () =>
    grantError(
      'client_required',
      'BXNIM0308E',
      'No Authorization header with client credentials.',
      'The password grant needs Authorization: Basic base64(client_id:client_secret), e.g. the CLI client bx:bx.',
    ),

  methodNotAllowed: () =>
    new DomainError('method_not_allowed', 'method_not_allowed', 'Method not allowed.', {
      messageCode: 'BXNIM0060E',
      more: 'HTTP 405 Method Not Allowed',
    }),
};

/** Why a bearer token was refused (401 on every management API). */
export const unauthenticated = (message: string) => new DomainError('unauthenticated', 'invalid_token', message);

/** Errors of the trusted-profile grants (cr-token, assume) and of `POST /identity/profiles`. */
export const profileGrantErrors = {
  /** One answer for a profile that does not exist and one of an account the caller cannot reach: no oracle. */
  profileNotFound: (reference: string) =>
    grantError(
      'profile_not_found',
      'BXNIM0106E',
      `Trusted profile ${reference} was not found.`,
      'The profile must exist in the account of the compute resource or of the identity assuming it.',
    ),
  /** 403, as IBM answers a grant the caller is not authorized to (BXNIM0513E). */
  notAssumable: (profileId: string, why: string) =>
    new DomainError('forbidden', 'profile_not_assumable', `The identity is not allowed to assume trusted profile ${profileId}.`, { messageCode: 'BXNIM0513E', more: why }),
  mfaRequired: (accountId: string) =>
    new DomainError('forbidden', 'mfa_required', `Account ${accountId} requires multi-factor authentication to assume its trusted profiles.`, {
      messageCode: 'BXNIM0513E',
      more: 'Sign in with the MFA level the account asks for, then assume the profile.',
    }),
  oneProfileReference: (detail: string) =>
    grantError('invalid_property', 'BXNIM0106E', 'Property validation failed: profile_id, profile_name, profile_crn.', detail),
  invalidAccessToken: (reason: string) => grantError('invalid_access_token', 'BXNIM0407E', 'Provided access token is invalid.', reason),
};
