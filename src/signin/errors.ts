import { DomainError } from '../kernel/errors.js';

/**
 * Errors of sign-in. Those of the password grant go out in the token API's shape with IBM's message
 * codes (tokens.md §4): BXNIM0602E for wrong credentials (the same answer whether the user exists or
 * not), BXNIM0141E for an account the user is not an active member of, BXNIM0109E for a missing form
 * property. A missing or wrong one-time code when the account requires MFA reuses BXNIM0109E /
 * BXNIM0602E and says why, with a `requirements` object naming what the account requires.
 */
const grantError = (code: string, messageCode: string, message: string, more?: string, data?: Record<string, unknown>) =>
  new DomainError('invalid', code, message, { messageCode, ...(more ? { more } : {}), ...(data ? { data } : {}) });

export const signinErrors = {
  credentialsIncorrect: () =>
    grantError('credentials_incorrect', 'BXNIM0602E', 'The credentials you entered for the user are incorrect.'),
  passwordGrantRefused: (accountId: string) =>
    grantError(
      'password_grant_refused',
      'BXNIM0602E',
      `Account ${accountId} does not allow signing in with a password grant.`,
      'The account\'s MFA setting is NONE_NO_ROPC: sign in with an API key instead.',
    ),
  accountRequired: () =>
    grantError(
      'missing_property',
      'BXNIM0109E',
      'Property missing or empty: account.',
      'The user is an active member of several accounts (or of none): name the account in the form field \'account\'.',
    ),
  notAccountMember: (accountId: string) =>
    grantError('not_account_member', 'BXNIM0141E', `The identity is not a member of account ${accountId}.`),
  passcodeRequired: (requirement: string) =>
    grantError(
      'mfa_required',
      'BXNIM0109E',
      'Property missing or empty: passcode.',
      `The account requires multifactor authentication (${requirement}): send the one-time code of your authenticator app, or a recovery code, as 'passcode'.`,
      { requirements: { mfa: requirement, passcode: 'required' } },
    ),
  passcodeIncorrect: (requirement: string) =>
    grantError(
      'mfa_failed',
      'BXNIM0602E',
      'The passcode you entered is incorrect, expired or already used.',
      undefined,
      { requirements: { mfa: requirement, passcode: 'required' } },
    ),
  passkeyRequired: (requirement: string) =>
    grantError(
      'mfa_required',
      'BXNIM0109E',
      'Property missing or empty: webauthn.',
      `The account requires multifactor authentication with a security key (${requirement}): ask for a challenge (POST /signin/passkey/options) and send your passkey's answer as 'webauthn'.`,
      { requirements: { mfa: requirement, webauthn: 'required' } },
    ),
  passkeyIncorrect: (requirement: string) =>
    grantError(
      'mfa_failed',
      'BXNIM0602E',
      'The passkey answer is invalid, answers an unknown, expired or used challenge, or names a passkey that is not yours.',
      undefined,
      { requirements: { mfa: requirement, webauthn: 'required' } },
    ),
  webauthnMalformed: () =>
    grantError('invalid_property', 'BXNIM0106E', 'Property validation failed: webauthn.', "'webauthn' must be the JSON of a PublicKeyCredential answer (id, rawId, type, response)."),
  mfaNotEnrolled: (requirement: string) =>
    grantError(
      'mfa_not_enrolled',
      'BXNIM0602E',
      'The account requires multifactor authentication, and the user has not enrolled a second factor that meets it.',
      `Required: ${requirement}. Enrol a TOTP authenticator (POST /signin/mfa/totp) while the account does not require it, or ask an administrator to set your user_mfa.`,
      { requirements: { mfa: requirement, enrolment: 'required' } },
    ),

  /** Account switching (`POST /signin/session/switch`): the console offers a new sign-in into the account. */
  reauthenticationRequired: (accountId: string, how: string) =>
    new DomainError(
      'forbidden',
      'reauthentication_required',
      `This session cannot move to account ${accountId}: it signed in ${how}. Sign in to that account instead.`,
      { data: { account_id: accountId } },
    ),
  stepUpRequired: (accountId: string, requirement: string, acr: number) =>
    new DomainError(
      'forbidden',
      'step_up_required',
      `Account ${accountId} requires multifactor authentication (${requirement}) that this session's sign-in did not provide: sign in to it with your second factor.`,
      { data: { account_id: accountId, requirements: { mfa: requirement, acr } } },
    ),

  /** Password rules (JSON sign-in API and the invitation acceptance: 400 in the handbook shape). */
  passwordTooShort: (min: number) => new DomainError('invalid', 'password_too_short', `The password must have at least ${min} characters.`),
  passwordTooLong: (max: number) => new DomainError('invalid', 'password_too_long', `The password must have at most ${max} characters.`),
  passwordCommon: () =>
    new DomainError('invalid', 'password_too_common', 'The password is on the list of common or breached passwords; choose another one.'),
  passwordIsLogin: () => new DomainError('invalid', 'password_is_login', 'The password must not be the user name or e-mail address.'),
  totpEnrolled: () =>
    new DomainError('conflict', 'totp_already_enrolled', 'You already have a confirmed TOTP authenticator; remove it (with a current code) before enrolling another.'),
  totpNotPending: () => new DomainError('not_found', 'totp_not_pending', 'No TOTP enrolment is waiting for confirmation; start one with POST /signin/mfa/totp.'),
  totpNotEnrolled: () => new DomainError('not_found', 'totp_not_enrolled', 'You have no TOTP authenticator.'),
  passcodeWrong: () => new DomainError('invalid', 'invalid_passcode', 'The passcode is incorrect, expired or already used.'),
  usersOnly: () => new DomainError('forbidden', 'users_only', 'Only users sign in with a second factor; service IDs and trusted profiles have none.'),
  passwordWrong: () => new DomainError('invalid', 'current_password_incorrect', 'The current password is incorrect.'),
  noPassword: () => new DomainError('not_found', 'no_password', 'You have no password to change; use a password-reset link to set one.'),
  tooManyPasskeys: (max: number) => new DomainError('conflict', 'too_many_passkeys', `You already have ${max} passkeys; remove one before registering another.`),
  passkeyExists: (name: string) =>
    new DomainError('conflict', 'passkey_exists', `You already have a passkey named "${name}", or this authenticator's passkey is registered already.`),
  passkeyNotEnrolled: () => new DomainError('not_found', 'passkey_not_enrolled', 'You have no passkey; register one (POST /signin/mfa/passkeys/options) while signed in.'),
  passkeyChallengeInvalid: () =>
    new DomainError('invalid', 'passkey_challenge_invalid', 'The answer is to a challenge that is unknown, not yours, expired or already used; ask for new options.'),
  passkeyResponseInvalid: (why: string) => new DomainError('invalid', 'passkey_response_invalid', `The authenticator's answer does not verify: ${why}`),
  resetInvalid: () =>
    new DomainError('invalid', 'reset_link_invalid', 'The password-reset link is unknown, already used or expired; request a new one.'),
};
