import type { MfaTrait, UserMfaExemption } from '../identity/types.js';
import type { Clock } from '../kernel/clock.js';
import type { Mailer } from '../mail/mailer.js';
import type { Writer } from '../store/unit-of-work.js';
import type { KeyEncryption } from '../token/key-encryption.js';
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
