import type { MfaOperations } from './mfa.js';
import type { Passkey } from './passkeys.js';
import type { Session } from './sessions.js';

/** Records of sign-in → the JSON of the sign-in API (snake_case, as IBM's APIs). */

export const totpEnrolmentWire = (e: Awaited<ReturnType<MfaOperations['enrolTotp']>>) => ({
  secret: e.secret,
  otpauth_url: e.otpauthUrl,
  qr_code: e.qrCode,
});

export const mfaStatusWire = (s: Awaited<ReturnType<MfaOperations['status']>>) => ({
  totp: s.totp,
  ...(s.lastUsedAt ? { last_used_at: s.lastUsedAt } : {}),
  recovery_codes_left: s.recoveryCodesLeft,
  passkeys: s.passkeys,
});

export const passkeyWire = (p: Passkey) => ({
  id: p.id,
  name: p.name,
  created_at: p.createdAt,
  ...(p.lastUsedAt ? { last_used_at: p.lastUsedAt } : {}),
});

export const sessionWire = (s: Session) => ({
  id: s.id,
  iam_id: s.iamId,
  account_id: s.accountId,
  acr: s.authn.acr,
  amr: s.authn.amr,
  created_at: s.createdAt,
  last_seen_at: s.lastSeenAt,
  expires_at: s.expiresAt,
  ...(s.idleExpiresAt ? { idle_expires_at: s.idleExpiresAt } : {}),
});
