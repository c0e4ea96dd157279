import { Counter, type Metric, type Registry } from 'prom-client';

/**
 * Prometheus counters of sign-in, registered on the process's registry (`/metrics`). Labels are
 * small closed sets (never a login, an address or an IAM id):
 * - `portcullis_signin_total{via, outcome, reason}`: password sign-ins by the password grant or
 *   into a browser session; `reason` is `ok` or why it was refused (`credentials`, `locked`, …).
 * - `portcullis_signin_mfa_total{factor, outcome}`: second factors presented (`totp`, `otp` for a
 *   recovery code, `passkey`), accepted or refused.
 * - `portcullis_signin_lockouts_total{scope}`: logins or client addresses locked (`login`, `address`).
 * - `portcullis_signin_sessions_ended_total{reason}`: `logout`, `revoked`, `expired`, `idle`.
 * - `portcullis_password_resets_total{stage, outcome}`: reset requests and confirmations.
 * - `portcullis_signin_revocations_total{cause}`: revocations of a user's sessions and tokens.
 */
export function createSignInMetrics() {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name, help, labelNames: [...labelNames], registers: [] });
  const metrics = {
    signins: counter('portcullis_signin_total', 'Password sign-ins by path, outcome and reason', ['via', 'outcome', 'reason'] as const),
    mfa: counter('portcullis_signin_mfa_total', 'Second factors presented at sign-in, by factor and outcome', ['factor', 'outcome'] as const),
    lockouts: counter('portcullis_signin_lockouts_total', 'Logins and client addresses locked after repeated failures', ['scope'] as const),
    sessionsEnded: counter('portcullis_signin_sessions_ended_total', 'Browser sessions ended, by reason', ['reason'] as const),
    resets: counter('portcullis_password_resets_total', 'Password-reset requests and confirmations', ['stage', 'outcome'] as const),
    revocations: counter('portcullis_signin_revocations_total', "Revocations of a user's sessions and refresh tokens, by cause", ['cause'] as const),
  };
  return {
    ...metrics,
    /** Adds the counters to a registry (once per registry). */
    register(registry: Registry): void {
      for (const metric of Object.values(metrics) as Metric[]) registry.registerMetric(metric);
    },
  };
}

export type SignInMetrics = ReturnType<typeof createSignInMetrics>;
