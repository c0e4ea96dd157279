import { Type } from '@sinclair/typebox';
import { limits } from '../kernel/limits.js';

/** Request schemas of the sign-in API (JSON bodies; no unknown fields). */

const strict = { additionalProperties: false };
/** A password as typed: long enough for any policy, bounded so hashing stays cheap to refuse. */
export const Password = Type.String({ minLength: 1, maxLength: 1024 });
const Login = Type.String({ minLength: 1, maxLength: limits.text });

export const ResetRequestBody = Type.Object({ username: Login }, { ...strict, title: 'PasswordResetRequest' });
export const ResetConfirmBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: limits.opaque }), password: Password },
  { ...strict, title: 'PasswordResetConfirmation' },
);

const Passcode = Type.String({ minLength: 1, maxLength: 64, description: 'A current code of the authenticator app, or a recovery code.' });
export const PasscodeBody = Type.Object({ passcode: Passcode }, { ...strict, title: 'Passcode' });

// ── Responses ──────────────────────────────────────────────────────────────────────────────────

export const TotpEnrolment = Type.Object(
  {
    secret: Type.String({ description: 'The base32 secret, for authenticator apps that cannot scan.' }),
    otpauth_url: Type.String({ description: 'The otpauth:// URI of the authenticator.' }),
    qr_code: Type.String({ description: 'That URI as a QR code: a data:image/png;base64 URL.' }),
  },
  { title: 'TotpEnrolment' },
);
export const RecoveryCodes = Type.Object(
  { recovery_codes: Type.Array(Type.String(), { description: 'Single-use codes for when the authenticator is lost; shown only now.' }) },
  { title: 'RecoveryCodes' },
);
export const MfaStatus = Type.Object(
  {
    totp: Type.Union([Type.Literal('none'), Type.Literal('pending'), Type.Literal('confirmed')]),
    last_used_at: Type.Optional(Type.String()),
    recovery_codes_left: Type.Integer(),
  },
  { title: 'OwnMfaStatus' },
);

export const SignInBody = Type.Object(
  {
    username: Login,
    password: Password,
    account: Type.Optional(Type.String({ minLength: 1, maxLength: limits.id, description: 'The account to sign in to (default: the only one the user is active in).' })),
    passcode: Type.Optional(Passcode),
  },
  { ...strict, title: 'PasswordSignIn' },
);
export const SessionParams = Type.Object({ session_id: Type.String({ minLength: 1, maxLength: limits.id }) });

const SessionFields = {
  id: Type.String(),
  iam_id: Type.String(),
  account_id: Type.String(),
  acr: Type.Integer({ description: 'How the session signed in: 1 password, 2 with a one-time code.' }),
  amr: Type.Array(Type.String()),
  created_at: Type.String(),
  last_seen_at: Type.String(),
  expires_at: Type.String(),
};
export const StartedSession = Type.Object(
  { ...SessionFields, csrf_token: Type.String({ description: 'Send it as X-CSRF-Token on sign-out and revocation; shown only now.' }) },
  { title: 'StartedSession' },
);
export const SessionList = Type.Object(
  { sessions: Type.Array(Type.Object({ ...SessionFields, current: Type.Boolean() })) },
  { title: 'SessionList' },
);
