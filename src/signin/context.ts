import type { MfaTrait, UserMfaExemption } from '../identity/types.js';
import type { Clock } from '../kernel/clock.js';
import type { Mailer } from '../mail/mailer.js';
import type { Writer } from '../store/unit-of-work.js';
import type { KeyEncryption } from '../token/key-encryption.js';
import type { LockoutSettings } from './lockout.js';
import type { SignInMetrics } from './metrics.js';
import type { SignInStore } from './store.js';
import type { PasswordPolicy } from './types.js';

/** What the sign-in operations share. */
export interface SignInContext {
  store: SignInStore;
  writer: Writer;
  clock: Clock;
  /** Sends password-reset links. */
  mailer: Pick<Mailer, 'send'>;
  /** Where clients reach the server, for the links in e-mail. */
  site: { url: string };
  policy: PasswordPolicy;
  /** How long a password-reset link can be used, in seconds. */
  resetTtlSeconds: number;
  /** Seals TOTP secrets at rest (the key-encryption key that seals the signing keys). */
  keyEncryption: Pick<KeyEncryption, 'seal' | 'open'>;
  /** The account's identity settings that sign-in enforces (effective values). */
  accountSettingsOf: (accountId: string) => Promise<SignInSettings>;
  /** Hears a reset e-mail that could not be sent (it is sent after the request was answered). */
  onMailError: (error: unknown) => void;
  /** When repeated failed sign-ins lock a login or a client address. */
  lockout: LockoutSettings;
  /** The sign-in counters (`/metrics`). */
  metrics: SignInMetrics;
  /** The WebAuthn relying party (config `webauthn`, defaults from the public URL, known once the server listens). */
  webauthn: () => WebAuthnParty;
}

/** Who passkeys are registered with: the relying party id (a host name), its display name, and the origins pages may call from. */
export interface WebAuthnParty {
  rpId: string;
  rpName: string;
  origins: string[];
}

/**
 * What sign-in enforces of an account's identity settings: its MFA requirement and per-user
 * exceptions (`mfa`, `user_mfa`), and its session limits (`session_expiration_in_seconds`,
 * `session_invalidation_in_seconds`: the absolute lifetime and the longest inactivity).
 */
export interface SignInSettings {
  mfa: MfaTrait;
  userMfa: readonly UserMfaExemption[];
  sessionExpirationSeconds: number;
  sessionInvalidationSeconds: number;
}
