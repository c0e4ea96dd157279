import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { clientAddressOf } from '../http/client-address.js';
import { describeOperations, type Operations } from '../http/openapi.js';
import type { Writer } from '../store/unit-of-work.js';
import type { GrantAdmission, TokenService } from '../token/service.js';
import { SESSION_COOKIE, type Session, type SessionOperations } from './sessions.js';
import { cookieOf, csrfOf } from './routes.js';
import { sessionWire } from './wire.js';

/**
 * The web console's bearer tokens. The console talks to the public APIs with bearer tokens, as
 * every other client does; a signed-in browser holds only its session cookie (HttpOnly) and the
 * session's CSRF token, and asks here for a short-lived access token of the session's user, which
 * it keeps in memory. A page reload asks again, so the user stays signed in without any token in
 * storage. A token never outlives its session: its `exp` is at most the session's end and its
 * inactivity deadline, so a console in use asks again (which marks the session active) before the
 * session idles out, and an idle one cannot act past it. Each issue is an audit event of the
 * session (`iam-identity.session.token`).
 */
export interface ConsoleTokenDeps {
  sessions: Pick<SessionOperations, 'current'>;
  writer: Writer;
  token: Pick<TokenService, 'sessionToken'>;
  /** Refuses a token scoped to an account from a client address it does not allow (as /identity/token does). */
  admit: (accountId: string, clientAddress: string) => Promise<void>;
}

export interface ConsoleToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  expiration: number;
  session: Session;
}

/** Issues an access token for the live session of `secret`, which `csrfToken` must belong to (401 / 403 otherwise). */
export function createConsoleTokens(deps: ConsoleTokenDeps) {
  return async (secret: string | undefined, csrfToken: string | undefined, requestId: string, admit?: GrantAdmission): Promise<ConsoleToken> => {
    const session = await deps.sessions.current(secret, { token: csrfToken });
    const ends = Math.min(Date.parse(session.expiresAt), session.idleExpiresAt ? Date.parse(session.idleExpiresAt) : Number.POSITIVE_INFINITY);
    const token = await deps.token.sessionToken(session, new Date(ends), admit);
    await deps.writer.write(async (w) => {
      w.audit({
        requestId,
        initiatorIamId: session.iamId,
        initiatorAccountId: session.accountId,
        accountId: session.accountId,
        action: 'iam-identity.session.token',
        targetType: 'session',
        targetId: session.id,
        detail: { expiration: token.expiration },
      });
    });
    return { ...token, session };
  };
}

const ConsoleTokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the token expires (never after the session ends).' }),
    expiration: Type.Integer({ description: 'When the token expires, in seconds since the epoch.' }),
    session: Type.Object({
      id: Type.String(),
      iam_id: Type.String(),
      account_id: Type.String(),
      acr: Type.Integer(),
      amr: Type.Array(Type.String()),
      created_at: Type.String(),
      last_seen_at: Type.String(),
      expires_at: Type.String(),
      idle_expires_at: Type.String({ description: 'When the session ends unless it is used again before (the account\'s session inactivity limit).' }),
    }),
  },
  { title: 'SessionToken' },
);

const operations: Operations = {
  'POST /signin/session/token': {
    operationId: 'issueSessionToken',
    summary: "A short-lived access token of the signed-in user (session cookie and X-CSRF-Token), for the web console",
    responses: { 201: ConsoleTokenResponse },
    security: 'none',
  },
};

/** `POST /signin/session/token` (handbook error shape, like the rest of `/signin`). */
export function consoleTokenRoutes(deps: ConsoleTokenDeps): FastifyPluginAsync {
  const issue = createConsoleTokens(deps);
  return async (app) => {
    describeOperations(app, 'handbook', ['Sign-in'], operations);
    app.post('/signin/session/token', { config: { errorStyle: 'handbook' as const } }, async (request, reply) => {
      const address = clientAddressOf(request);
      const issued = await issue(cookieOf(request, SESSION_COOKIE), csrfOf(request).token, request.id, (grant) =>
        deps.admit(grant.accountId, address),
      );
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ ...issued, session: sessionWire(issued.session) });
    });
  };
}
