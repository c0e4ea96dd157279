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
    passkeys: Type.Integer({ description: 'How many passkeys you hold.' }),
  },
  { title: 'OwnMfaStatus' },
);

const B64 = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+={0,2}$' });
const Attachment = Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')]);
const Account = Type.String({ minLength: 1, maxLength: limits.id, description: 'The account to sign in to (default: the only one the user is active in).' });

/** A passkey's answer to a sign-in challenge (WebAuthn AuthenticationResponseJSON, base64url fields). */
export const PasskeyAssertion = Type.Object(
  {
    id: B64(2048),
    rawId: B64(2048),
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: B64(limits.opaque),
        authenticatorData: B64(limits.opaque),
        signature: B64(2048),
        userHandle: Type.Optional(B64(2048)),
      },
      strict,
    ),
    clientExtensionResults: Type.Optional(Type.Object({}, { additionalProperties: true })),
    authenticatorAttachment: Type.Optional(Attachment),
  },
  { ...strict, title: 'PasskeyAssertion' },
);

export const SignInBody = Type.Object(
  {
    username: Login,
    password: Password,
    account: Type.Optional(Account),
    passcode: Type.Optional(Passcode),
    webauthn: Type.Optional(PasskeyAssertion),
  },
  { ...strict, title: 'PasswordSignIn' },
);
export const SessionSwitchBody = Type.Object(
  { account: Type.String({ minLength: 1, maxLength: limits.id, description: 'The account to move to: one you are an active member of.' }) },
  { ...strict, title: 'SessionSwitch' },
);
export const ApiKeySignInBody = Type.Object(
  { apikey: Type.String({ minLength: 1, maxLength: limits.opaque, description: "An API key: a session is opened as its identity; the key is not kept by the browser." }) },
  { ...strict, title: 'ApiKeySignIn' },
);
export const PasskeySignInBody = Type.Object({ username: Login, password: Password, account: Type.Optional(Account) }, { ...strict, title: 'PasskeySignInStart' });
export const PasswordChangeBody = Type.Object({ current_password: Password, new_password: Password }, { ...strict, title: 'PasswordChange' });

/** An authenticator's answer to a registration challenge (WebAuthn RegistrationResponseJSON). */
export const PasskeyRegistrationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, description: 'Your name for the passkey (unique among yours).' }),
    response: Type.Object(
      {
        id: B64(2048),
        rawId: B64(2048),
        type: Type.Literal('public-key'),
        response: Type.Object(
          {
            clientDataJSON: B64(limits.opaque),
            attestationObject: B64(65_536),
            transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10 })),
            authenticatorData: Type.Optional(B64(limits.opaque)),
            publicKey: Type.Optional(B64(limits.opaque)),
            publicKeyAlgorithm: Type.Optional(Type.Integer()),
          },
          strict,
        ),
        clientExtensionResults: Type.Optional(Type.Object({}, { additionalProperties: true })),
        authenticatorAttachment: Type.Optional(Attachment),
      },
      strict,
    ),
  },
  { ...strict, title: 'PasskeyRegistration' },
);
export const PasskeyParams = Type.Object({ passkey_id: Type.String({ minLength: 1, maxLength: limits.id }) });

export const Passkey = Type.Object(
  { id: Type.String(), name: Type.String(), created_at: Type.String(), last_used_at: Type.Optional(Type.String()) },
  { title: 'Passkey' },
);
export const PasskeyList = Type.Object({ passkeys: Type.Array(Passkey) }, { title: 'PasskeyList' });
/** WebAuthn options for the browser (PublicKeyCredential{Creation,Request}OptionsJSON), passed on as they are. */
const WebAuthnOptions = (title: string) =>
  Type.Object({ challenge: Type.String(), rpId: Type.Optional(Type.String()) }, { additionalProperties: true, title });
export const PasskeyCreationOptions = WebAuthnOptions('PasskeyCreationOptions');
export const PasskeyRequestOptions = WebAuthnOptions('PasskeyRequestOptions');
export const SessionParams = Type.Object({ session_id: Type.String({ minLength: 1, maxLength: limits.id }) });

const SessionFields = {
  id: Type.String(),
  iam_id: Type.String(),
  account_id: Type.String(),
  acr: Type.Integer({ description: 'How the session signed in: 1 password, 2 with a one-time code, 3 with a passkey.' }),
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
export const SignInAccountList = Type.Object(
  {
    accounts: Type.Array(
      Type.Object({ id: Type.String(), name: Type.String(), current: Type.Boolean({ description: "The session's account." }) }),
    ),
  },
  { title: 'SignInAccountList' },
);
