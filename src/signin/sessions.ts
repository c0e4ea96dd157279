import { randomBytes } from 'node:crypto';
import { DomainError, forbidden, notFound } from '../kernel/errors.js';
import { ids } from '../kernel/ids.js';
import { hashSecret, safeEqual } from '../kernel/secrets.js';
import type { SignInContext } from './context.js';
import { signinErrors } from './errors.js';
import type { SessionRow } from './store.js';
import type { AuthnLevel, PasswordAttempt, SignedIn, SignInOrigin } from './types.js';

/** The cookie that carries a browser session's secret. */
export const SESSION_COOKIE = 'portcullis_session';

/** A live session, as its owner sees it (never its secrets). */
export interface Session {
  id: string;
  iamId: string;
  accountId: string;
  authn: AuthnLevel;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  /**
   * When the session ends if it is not used again (its last use plus the account's
   * `session_invalidation_in_seconds`); known where the session was just used (`current`).
   */
  idleExpiresAt?: string;
}

const sessionOf = (row: SessionRow): Session => ({
  id: row.id,
  iamId: row.iam_id,
  accountId: row.account_id,
  authn: JSON.parse(row.authn) as AuthnLevel,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  expiresAt: row.expires_at,
});

/** A session just opened: its cookie secret and CSRF token are shown this once. */
export interface OpenedSession {
  session: Session;
  secret: string;
  csrfToken: string;
}

const signedOut = () => new DomainError('unauthenticated', 'no_session', 'No live session: sign in again (the session ended, expired or was inactive too long).');
const csrfRefused = () => forbidden('The X-CSRF-Token header is missing or does not match the session.');

/**
 * Browser sessions. A sign-in (password, and a one-time code where the account requires one)
 * creates a session whose secret travels in an HttpOnly cookie and whose CSRF token the client
 * sends back in `X-CSRF-Token` on every state-changing call (the cookie alone, which a browser
 * attaches to cross-site requests, is not enough). Both are stored as SHA-256 hashes. A session ends
 * at sign-out, at revocation, `session_expiration_in_seconds` after it began (fixed at creation),
 * or once it was idle longer than the account's `session_invalidation_in_seconds` (read when it is
 * used, so a shorter setting applies to live sessions at once). Every use moves its last activity
 * in one conditional update that also checks all of that.
 */
export function createSessionOperations(ctx: SignInContext, signIn: (attempt: PasswordAttempt, origin: SignInOrigin) => Promise<SignedIn>) {
  const { store, writer, clock, metrics } = ctx;

  const audit = (session: { iamId: string; accountId: string; id: string }, requestId: string, action: string) => ({
    requestId,
    initiatorIamId: session.iamId,
    initiatorAccountId: session.accountId,
    accountId: session.accountId,
    action,
    targetType: 'session',
    targetId: session.id,
  });

  /**
   * A new session row for `signedIn` (secrets hashed) with its secrets. It lasts the account's
   * session expiration, cut to `maxSeconds` and to `notAfter` when given.
   */
  async function rowFor(signedIn: SignedIn, options: { maxSeconds?: number; notAfter?: string }): Promise<{ row: SessionRow; secret: string; csrfToken: string }> {
    const settings = await ctx.accountSettingsOf(signedIn.accountId);
    const secret = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = clock.now();
    const seconds = Math.min(settings.sessionExpirationSeconds, options.maxSeconds ?? Number.POSITIVE_INFINITY);
    const ends = Math.min(now.getTime() + seconds * 1000, options.notAfter ? Date.parse(options.notAfter) : Number.POSITIVE_INFINITY);
    const row: SessionRow = {
      id: ids.uuid(),
      secret_hash: hashSecret(secret),
      csrf_hash: hashSecret(csrfToken),
      iam_id: signedIn.iamId,
      account_id: signedIn.accountId,
      authn: JSON.stringify(signedIn.authn),
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(ends).toISOString(),
    };
    return { row, secret, csrfToken };
  }

  /** A new session for `signedIn`: the row (secrets hashed) and its audit event in one write. */
  async function open(signedIn: SignedIn, requestId: string, options: { maxSeconds?: number; notAfter?: string } = {}): Promise<OpenedSession> {
    const { row, secret, csrfToken } = await rowFor(signedIn, options);
    await writer.write(async (w) => {
      await store.insertSession(w.trx, row);
      w.audit(audit(sessionOf(row), requestId, 'iam-identity.session.create'));
    });
    return { session: sessionOf(row), secret, csrfToken };
  }

  return {
    /** Signs in and opens a session: the session, and its cookie secret and CSRF token (shown once). */
    async start(attempt: PasswordAttempt, origin: SignInOrigin): Promise<OpenedSession> {
      return open(await signIn(attempt, origin), origin.requestId);
    },

    /**
     * Opens a session for someone another flow already authenticated (federated sign-in), with how
     * they did in `signedIn.authn`. It lasts the account's session expiration, or `maxSeconds` when
     * that is shorter (e.g. a trusted profile's rule), and ends by `notAfter` (e.g. an API key's expiry).
     */
    open,

    /**
     * The live session of a cookie secret, marked active now; 401 when there is none. With
     * `csrfToken` (state-changing calls) the token must be the session's (403 otherwise).
     */
    async current(secret: string | undefined, csrf?: { token: string | undefined }): Promise<Session> {
      if (!secret) throw signedOut();
      const secretHash = hashSecret(secret);
      const accountId = await store.sessionAccount(secretHash);
      if (accountId === undefined) throw signedOut();
      const { sessionInvalidationSeconds } = await ctx.accountSettingsOf(accountId);
      const now = clock.now();
      const idleSince = new Date(now.getTime() - sessionInvalidationSeconds * 1000).toISOString();
      const row = await store.touchSession(secretHash, now.toISOString(), idleSince);
      if (!row) {
        // Expiry and inactivity are noticed at the next use: the session ends then, recorded once.
        const stale = await store.endStaleSession(secretHash, now.toISOString(), idleSince);
        if (stale) {
          await writer.write(async (w) => w.audit({ ...audit(sessionOf(stale), '', 'iam-identity.session.expire'), detail: { reason: stale.end_reason } }));
          metrics.sessionsEnded.inc({ reason: stale.end_reason });
        }
        throw signedOut();
      }
      // A session begun before a revocation (one that raced it) does not count either.
      const revoked = await store.revokedBefore(row.iam_id, row.account_id);
      if (revoked !== undefined && row.created_at < revoked) throw signedOut();
      if (csrf && !(csrf.token && safeEqual(hashSecret(csrf.token), row.csrf_hash))) throw csrfRefused();
      return { ...sessionOf(row), idleExpiresAt: new Date(now.getTime() + sessionInvalidationSeconds * 1000).toISOString() };
    },

    /**
     * Moves the person of `session` to `accountId` (the caller checked that the account's rules
     * admit them): in one write, the session ends (`switched`; of concurrent switches one wins, the
     * others get 401), the user's ACTIVE membership of the account is read again, and a session
     * there opens with how the old one signed in. It ends no later than the old one would have, so
     * switching back and forth never extends a sign-in. Audited in both accounts.
     */
    async switchTo(session: Session, accountId: string, requestId: string): Promise<OpenedSession> {
      const { row, secret, csrfToken } = await rowFor({ iamId: session.iamId, accountId, authn: session.authn }, { notAfter: session.expiresAt });
      await writer.write(async (w) => {
        if (!(await store.endSession(w.trx, session.iamId, session.id, row.created_at, 'switched'))) throw signedOut();
        if (!(await store.activeAccountsOf(session.iamId, w.trx)).includes(accountId)) throw signinErrors.notAccountMember(accountId);
        await store.insertSession(w.trx, row);
        w.audit({ ...audit(session, requestId, 'iam-identity.session.switch'), detail: { reason: 'switched', to_account: accountId, to_session: row.id } });
        w.audit({ ...audit(sessionOf(row), requestId, 'iam-identity.session.create'), detail: { from_account: session.accountId, from_session: session.id } });
      });
      metrics.sessionsEnded.inc({ reason: 'switched' });
      return { session: sessionOf(row), secret, csrfToken };
    },

    /** The user's live sessions (in every account), newest first. */
    async list(session: Session): Promise<Session[]> {
      return (await store.liveSessionsOf(session.iamId, clock.now().toISOString())).map(sessionOf);
    },

    /** Ends one of the user's sessions (sign-out: the current one); 404 for another user's or an ended one. */
    async end(session: Session, id: string, requestId: string): Promise<void> {
      await writer.write(async (w) => {
        const reason = id === session.id ? 'logout' : 'revoked';
        if (!(await store.endSession(w.trx, session.iamId, id, clock.now().toISOString(), reason))) throw notFound('Session', id);
        w.audit({ ...audit({ ...session, id }, requestId, reason === 'logout' ? 'iam-identity.session.logout' : 'iam-identity.session.revoke'), detail: { reason } });
      });
      metrics.sessionsEnded.inc({ reason: id === session.id ? 'logout' : 'revoked' });
    },
  };
}

export type SessionOperations = ReturnType<typeof createSessionOperations>;
