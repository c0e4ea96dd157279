import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { Actor } from '../kernel/principal.js';
import { hashSecret } from '../kernel/secrets.js';
import type { SignInContext } from './context.js';
import { signinErrors as errors } from './errors.js';
import type { Revocation, Revoked } from './revocation.js';

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift either way — what every
 * authenticator app does by default) and recovery codes.
 */
export const TOTP_SETTINGS = { digits: 6, period: 30, window: 1, issuer: 'Portcullis', recoveryCodes: 10 } as const;

/** The second factor a passcode proved: a TOTP code, or a recovery code (`otp`). */
export type SecondFactor = 'totp' | 'otp';

/** A recovery code as typed: letters and digits only, lower-case (dashes and spaces ignored). */
const normalised = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Ten random characters shown as `xxxxx-xxxxx` (50 bits each). */
const newRecoveryCode = () => {
  const text = randomBytes(8).toString('hex').slice(0, 10);
  return `${text.slice(0, 5)}-${text.slice(5)}`;
};

/**
 * The second factor of a user: enrolment with a QR code, confirmation with a first code (which
 * yields the recovery codes, shown once and stored hashed), removal, status, and the check at
 * sign-in. A TOTP code is accepted once: the time step it belongs to is recorded per user under a
 * unique key, so a replayed code — also two concurrent uses of one code — is refused. The secret is
 * sealed under the key-encryption key at rest.
 */
export function createMfaOperations(ctx: SignInContext, revocation: Revocation) {
  const { store, writer, clock, keyEncryption } = ctx;
  const now = () => clock.now().toISOString();
  const sealContext = (iamId: string) => `mfa-totp:${iamId}`;
  const totpOf = (base32: string, label: string) =>
    new TOTP({
      issuer: TOTP_SETTINGS.issuer,
      label,
      algorithm: 'SHA1',
      digits: TOTP_SETTINGS.digits,
      period: TOTP_SETTINGS.period,
      secret: Secret.fromBase32(base32),
    });

  /** The time step a code belongs to (within the drift window), or undefined when it matches none. */
  function stepOf(base32: string, passcode: string): number | undefined {
    if (!/^\d{6}$/.test(passcode)) return undefined;
    const timestamp = clock.now().getTime();
    const delta = totpOf(base32, '').validate({ token: passcode, timestamp, window: TOTP_SETTINGS.window });
    return delta === null ? undefined : TOTP.counter({ period: TOTP_SETTINGS.period, timestamp }) + delta;
  }

  function userOf(actor: Actor): string {
    if (actor.principal.kind !== 'user') throw errors.usersOnly();
    return actor.principal.iamId;
  }

  const auditOf = (actor: Actor, action: string, detail?: Record<string, unknown>) => ({
    requestId: actor.requestId,
    initiatorIamId: actor.principal.iamId,
    initiatorAccountId: actor.principal.accountId,
    accountId: actor.principal.accountId,
    action,
    targetType: 'user',
    targetId: actor.principal.iamId,
    ...(detail ? { detail } : {}),
  });

  /** Spends `passcode` as a second factor of `iamId`; the factor it proved, or undefined (wrong, replayed, used). */
  async function spend(iamId: string, passcode: string, requestId: string): Promise<SecondFactor | undefined> {
    const row = await store.totpOf(iamId);
    if (!row?.confirmedAt) return undefined;
    const step = stepOf(keyEncryption.open(row.sealedSecret, sealContext(iamId)), passcode);
    const { value } = await writer.write(async (w) => {
      const at = now();
      const factor: SecondFactor | undefined =
        step !== undefined
          ? (await store.useTotpStep(w.trx, iamId, step, at)) ? 'totp' : undefined
          : (await store.useRecoveryCode(w.trx, iamId, hashSecret(normalised(passcode)), at)) ? 'otp' : undefined;
      if (factor) {
        w.audit({ requestId, initiatorIamId: iamId, initiatorAccountId: null, accountId: null, action: 'iam-identity.mfa.use', targetType: 'user', targetId: iamId, detail: { factor } });
      }
      return factor;
    });
    return value;
  }

  return {
    /**
     * Starts enrolling a TOTP authenticator for the calling user (replacing an unconfirmed one):
     * the secret, its `otpauth://` URI and that URI as a QR code (PNG data URL). Shown once; it
     * becomes a factor when `confirmTotp` receives a first code. 409 with a confirmed one.
     */
    async enrolTotp(actor: Actor): Promise<{ secret: string; otpauthUrl: string; qrCode: string }> {
      const iamId = userOf(actor);
      const user = await store.userById(iamId);
      const secret = new Secret({ size: 20 }).base32;
      await writer.write(async (w) => {
        if (!(await store.putPendingTotp(w.trx, iamId, keyEncryption.seal(secret, sealContext(iamId)), now()))) throw errors.totpEnrolled();
        w.audit(auditOf(actor, 'iam-identity.mfa.totp-enrol'));
      });
      const otpauthUrl = totpOf(secret, user?.userId ?? iamId).toString();
      return { secret, otpauthUrl, qrCode: await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M' }) };
    },

    /** Confirms the pending authenticator with a first code; returns the recovery codes (shown once, stored hashed). */
    async confirmTotp(actor: Actor, passcode: string): Promise<{ recoveryCodes: string[] }> {
      const iamId = userOf(actor);
      const row = await store.totpOf(iamId);
      if (!row || row.confirmedAt) throw errors.totpNotPending();
      const step = stepOf(keyEncryption.open(row.sealedSecret, sealContext(iamId)), passcode);
      if (step === undefined) throw errors.passcodeWrong();
      const recoveryCodes = Array.from({ length: TOTP_SETTINGS.recoveryCodes }, newRecoveryCode);
      await writer.write(async (w) => {
        const at = now();
        if (!(await store.confirmTotp(w.trx, iamId, at))) throw errors.totpNotPending();
        if (!(await store.useTotpStep(w.trx, iamId, step, at))) throw errors.passcodeWrong();
        await store.replaceRecoveryCodes(w.trx, iamId, recoveryCodes.map((c) => hashSecret(normalised(c))), at);
        w.audit(auditOf(actor, 'iam-identity.mfa.totp-confirm', { recovery_codes: recoveryCodes.length }));
      });
      return { recoveryCodes };
    },

    /**
     * Removes the caller's authenticator and recovery codes; needs a current code (or a recovery
     * code). Removing a confirmed second factor revokes the user's sessions and tokens everywhere.
     */
    async removeTotp(actor: Actor, passcode: string): Promise<void> {
      const iamId = userOf(actor);
      const row = await store.totpOf(iamId);
      if (!row) throw errors.totpNotEnrolled();
      if (row.confirmedAt && !(await spend(iamId, passcode, actor.requestId))) throw errors.passcodeWrong();
      const { value } = await writer.write(async (w): Promise<Revoked | undefined> => {
        await store.deleteMfa(w.trx, iamId);
        w.audit(auditOf(actor, 'iam-identity.mfa.totp-remove'));
        return row.confirmedAt ? revocation.revokeIn(w, iamId, 'mfa_removed', { requestId: actor.requestId, initiator: iamId }) : undefined;
      });
      if (value) revocation.counted(value);
    },

    /** The caller's own second factors. */
    async status(actor: Actor): Promise<{ totp: 'none' | 'pending' | 'confirmed'; lastUsedAt?: string; recoveryCodesLeft: number; passkeys: number }> {
      const iamId = userOf(actor);
      const [row, passkeys] = await Promise.all([store.totpOf(iamId), store.passkeysOf(iamId)]);
      if (!row) return { totp: 'none', recoveryCodesLeft: 0, passkeys: passkeys.length };
      if (!row.confirmedAt) return { totp: 'pending', recoveryCodesLeft: 0, passkeys: passkeys.length };
      const enrolled = (await store.enrolments([iamId])).get(iamId);
      return {
        totp: 'confirmed',
        ...(row.lastUsedAt ? { lastUsedAt: row.lastUsedAt } : {}),
        recoveryCodesLeft: enrolled?.recoveryCodesLeft ?? 0,
        passkeys: passkeys.length,
      };
    },

    /** Whether the user has a confirmed second factor. */
    async enrolled(iamId: string): Promise<boolean> {
      return Boolean((await store.totpOf(iamId))?.confirmedAt);
    },

    spend,
  };
}

export type MfaOperations = ReturnType<typeof createMfaOperations>;
