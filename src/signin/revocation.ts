import type { Write } from '../store/unit-of-work.js';
import type { SignInContext } from './context.js';
import { ALL_ACCOUNTS } from './store.js';

/** Why a user's sessions and tokens were revoked. */
export type RevocationCause = 'password_reset' | 'password_change' | 'mfa_removed' | 'user_removed';

/** What a revocation did, for its metrics once the write committed. */
export interface Revoked {
  cause: RevocationCause;
  sessions: number;
}

/**
 * Revocation of a user's sign-ins, immediate and durable: in the write that changes the credential,
 * every live session of the user ends (reason `revoked`, an audit event each) and a "not before"
 * instant is stored for the identity (everywhere, or in one account when the user is removed from
 * it). Refresh tokens and access tokens created before it are refused wherever they are presented
 * (the token service and the authenticator ask `revokedBefore`), also those another node is still
 * writing behind: the instant is checked, not the rows.
 */
export function createRevocation(ctx: SignInContext) {
  const { store, clock, metrics } = ctx;

  return {
    /**
     * Revokes inside the caller's write: everywhere, or in `accountId` only. `initiator` is who
     * caused it (the user, or the administrator who removed them).
     */
    async revokeIn(w: Write, iamId: string, cause: RevocationCause, origin: { requestId: string; initiator: string; accountId?: string }): Promise<Revoked> {
      const at = clock.now().toISOString();
      await store.revokeBefore(w.trx, iamId, origin.accountId ?? ALL_ACCOUNTS, at);
      const ended = await store.endSessionsOf(w.trx, iamId, origin.accountId, at);
      for (const session of ended) {
        w.audit({
          requestId: origin.requestId,
          initiatorIamId: origin.initiator,
          initiatorAccountId: null,
          accountId: session.account_id,
          action: 'iam-identity.session.revoke',
          targetType: 'session',
          targetId: session.id,
          detail: { reason: 'revoked', cause },
        });
      }
      w.audit({
        requestId: origin.requestId,
        initiatorIamId: origin.initiator,
        initiatorAccountId: null,
        accountId: origin.accountId ?? null,
        action: 'iam-identity.signin.revoke',
        targetType: 'user',
        targetId: iamId,
        detail: { cause, sessions_ended: ended.length, not_before: at },
      });
      return { cause, sessions: ended.length };
    },

    /** Counts a committed revocation in the metrics. */
    counted(revoked: Revoked): void {
      metrics.revocations.inc({ cause: revoked.cause });
      if (revoked.sessions > 0) metrics.sessionsEnded.inc({ reason: 'revoked' }, revoked.sessions);
    },

    /** The latest revocation instant of the identity that applies in `accountId`, or undefined. */
    revokedBefore: (iamId: string, accountId: string) => store.revokedBefore(iamId, accountId),
  };
}

export type Revocation = ReturnType<typeof createRevocation>;
