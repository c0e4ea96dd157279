import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { clientAddressOf } from '../http/client-address.js';
import { describeOperations, ok, type Operations } from '../http/openapi.js';
import type { TokenService } from '../token/service.js';
import { cookieOf, csrfOf, sendStartedSession } from './routes.js';
import { ApiKeySignInBody, SessionSwitchBody, SignInAccountList, StartedSession } from './schemas.js';
import type { SignInService } from './service.js';
import { SESSION_COOKIE } from './sessions.js';

export interface ConsoleSessionDeps {
  signin: Pick<SignInService, 'sessions' | 'accountsOf' | 'switchAccount'>;
  token: Pick<TokenService, 'apikeySignIn'>;
  /** Refuses an account's session from a client address it does not allow (as /identity/token does). */
  admit: (accountId: string, clientAddress: string) => Promise<void>;
}

const operations: Operations = {
  'GET /signin/accounts': {
    operationId: 'listSignInAccounts',
    summary: 'The accounts the signed-in user (session cookie) is an active member of, for the account switcher',
    responses: ok(SignInAccountList),
    security: 'none',
  },
  'POST /signin/session/switch': {
    operationId: 'switchSessionAccount',
    summary:
      "Move the session (cookie and X-CSRF-Token) to another of your accounts, under that account's MFA and IP rules: a new session there, the old one ended",
    responses: { 201: StartedSession },
    security: 'none',
  },
  'POST /signin/apikey': {
    operationId: 'signInWithApiKey',
    summary: "Sign in with an API key: a session cookie and its CSRF token, as the key's identity, ending with the key",
    responses: { 201: StartedSession },
    security: 'none',
  },
};

const config = { errorStyle: 'handbook' as const };
const tags = ['Sign-in'];

/**
 * The web console's session routes beyond the password sign-in: its account switcher (the
 * accounts of the session's user, and the move to one of them) and API-key sign-in into a browser
 * session. The console keeps no credential in the browser's storage: an API key is exchanged here
 * for the same HttpOnly session cookie + CSRF token a password sign-in gets, so a reload stays
 * signed in while the key itself is forgotten. Such a session is the key's identity, never outlives
 * the key's expiry, and each of its tokens re-checks the key (deleted or disabled: no more tokens).
 */
export function consoleSessionRoutes(deps: ConsoleSessionDeps): FastifyPluginAsync {
  const { signin } = deps;
  return async (root) => {
    describeOperations(root, 'handbook', tags, operations);
    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.get('/signin/accounts', { config, schema: { tags } }, async (request, reply) => {
      const current = await signin.sessions.current(cookieOf(request, SESSION_COOKIE));
      const accounts = await signin.accountsOf(current);
      return reply.header('cache-control', 'no-store').send({ accounts: accounts.map((a) => ({ ...a, current: a.id === current.accountId })) });
    });

    app.post('/signin/session/switch', { config, schema: { tags, body: SessionSwitchBody } }, async (request, reply) => {
      const current = await signin.sessions.current(cookieOf(request, SESSION_COOKIE), csrfOf(request));
      const address = clientAddressOf(request);
      const started = await signin.switchAccount(current, request.body.account, request.id, (accountId) => deps.admit(accountId, address));
      return sendStartedSession(request, reply, started);
    });

    app.post('/signin/apikey', { config, schema: { tags, body: ApiKeySignInBody } }, async (request, reply) => {
      const address = clientAddressOf(request);
      const { signedIn, keyExpiresAt } = await deps.token.apikeySignIn(request.body.apikey, (grant) => deps.admit(grant.accountId, address));
      const started = await signin.sessions.open(signedIn, request.id, keyExpiresAt ? { notAfter: keyExpiresAt } : {});
      return sendStartedSession(request, reply, started);
    });
  };
}
