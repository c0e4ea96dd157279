import type { MfaOperations } from './mfa.js';

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
});
