import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { clientAddressOf } from '../http/client-address.js';
import { describeOperations, noContent, ok, type Operations } from '../http/openapi.js';
import type { Authenticator } from '../kernel/principal.js';
import {
  MfaStatus,
  Passkey,
  PasskeyCreationOptions,
  PasskeyList,
  PasskeyParams,
  PasskeyRegistrationBody,
  PasskeyRequestOptions,
  PasskeySignInBody,
  PasscodeBody,
  PasswordChangeBody,
  RecoveryCodes,
  ResetConfirmBody,
  ResetRequestBody,
  SessionList,
  SessionParams,
  SignInBody,
  StartedSession,
  TotpEnrolment,
} from './schemas.js';
import type { SignInService } from './service.js';
import { SESSION_COOKIE, type OpenedSession } from './sessions.js';
import { mfaStatusWire, passkeyWire, sessionWire, totpEnrolmentWire } from './wire.js';

export interface SignInRoutesDeps {
  signin: SignInService;
  authenticator: Authenticator;
}

const config = { errorStyle: 'handbook' as const };
const tags = ['Sign-in'];

/** Beyond IBM's APIs (its console signs in through IBMid): operation names are our own. */
const operations: Operations = {
  'POST /signin/password/reset': {
    operationId: 'requestPasswordReset',
    summary: 'E-mail a single-use password-reset link to the user with that login (answers alike for unknown users)',
    responses: { 202: null },
    security: 'none',
  },
  'POST /signin/password/reset/confirm': {
    operationId: 'confirmPasswordReset',
    summary: 'Set a new password with the secret of a password-reset link',
    responses: { 204: null },
    security: 'none',
  },
  'POST /signin/password': {
    operationId: 'signInWithPassword',
    summary: 'Sign in with a password (and a one-time code where the account requires one): a session cookie and its CSRF token',
    responses: { 201: StartedSession },
    security: 'none',
  },
  'GET /signin/sessions': {
    operationId: 'listOwnSessions',
    summary: "The signed-in user's live sessions (session cookie)",
    responses: ok(SessionList),
    security: 'none',
  },
  'DELETE /signin/sessions/:session_id': {
    operationId: 'revokeOwnSession',
    summary: "End one of the signed-in user's sessions (session cookie and X-CSRF-Token)",
    responses: noContent,
    security: 'none',
  },
  'POST /signin/logout': {
    operationId: 'signOut',
    summary: 'End the current session (session cookie and X-CSRF-Token)',
    responses: noContent,
    security: 'none',
  },
  'GET /signin/mfa': { operationId: 'getOwnMfa', summary: "The caller's own second factors", responses: ok(MfaStatus) },
  'POST /signin/mfa/totp': {
    operationId: 'enrolTotp',
    summary: 'Start enrolling a TOTP authenticator (secret and QR code, shown once)',
    responses: { 201: TotpEnrolment },
  },
  'POST /signin/mfa/totp/confirm': {
    operationId: 'confirmTotp',
    summary: 'Confirm the TOTP authenticator with a first code; returns the recovery codes (shown once)',
    responses: ok(RecoveryCodes),
  },
  'POST /signin/mfa/totp/remove': {
    operationId: 'removeTotp',
    summary: 'Remove the TOTP authenticator and recovery codes (with a current code); ends your sessions and revokes your tokens',
    responses: noContent,
  },
  'POST /signin/password/change': {
    operationId: 'changeOwnPassword',
    summary: 'Change your password (with the current one); ends your sessions and revokes your tokens',
    responses: noContent,
  },
  'GET /signin/mfa/passkeys': { operationId: 'listOwnPasskeys', summary: 'Your passkeys', responses: ok(PasskeyList) },
  'POST /signin/mfa/passkeys/options': {
    operationId: 'startPasskeyRegistration',
    summary: 'Options (and a single-use challenge) for registering a passkey with navigator.credentials.create()',
    responses: ok(PasskeyCreationOptions),
  },
  'POST /signin/mfa/passkeys': {
    operationId: 'registerPasskey',
    summary: "Register a passkey: the authenticator's answer to the challenge, and your name for it",
    responses: { 201: Passkey },
  },
  'DELETE /signin/mfa/passkeys/:passkey_id': {
    operationId: 'removePasskey',
    summary: 'Remove one of your passkeys; ends your sessions and revokes your tokens',
    responses: noContent,
  },
  'POST /signin/passkey/options': {
    operationId: 'startPasskeySignIn',
    summary: "Check a password and get a passkey challenge for signing in (send the passkey's answer as 'webauthn')",
    responses: ok(PasskeyRequestOptions),
    security: 'none',
  },
};

/** Where a sign-in attempt comes from. */
export const originOf = (request: FastifyRequest) => ({ requestId: request.id, clientAddress: clientAddressOf(request) });

/** The value of cookie `name` in the request, if any. */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

/** The X-CSRF-Token header of a state-changing call. */
export const csrfOf = (request: FastifyRequest) => {
  const header = request.headers['x-csrf-token'];
  return { token: Array.isArray(header) ? header[0] : header };
};

/** Sets (or, with `maxAge` 0, clears) the session cookie: HttpOnly, SameSite=Lax, Secure over https. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, value: string, maxAge: number) {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`);
}

/** Answers a sign-in that opened a session: 201, its cookie (as long as the session), and the session with its CSRF token (shown once, never cached). */
export function sendStartedSession(request: FastifyRequest, reply: FastifyReply, started: OpenedSession) {
  const maxAge = Math.max(0, Math.floor((Date.parse(started.session.expiresAt) - Date.parse(started.session.createdAt)) / 1000));
  setSessionCookie(request, reply, started.secret, maxAge);
  return reply.status(201).header('cache-control', 'no-store').send({ ...sessionWire(started.session), csrf_token: started.csrfToken });
}

/**
 * The JSON sign-in API under `/signin` (handbook error shape): password reset, sign-in into a
 * browser session and its management (cookie; X-CSRF-Token on state changes), and the caller's own
 * second factors (bearer token).
 */
export function signInRoutes(deps: SignInRoutesDeps): FastifyPluginAsync {
  const { signin } = deps;
  return async (root) => {
    describeOperations(root, 'handbook', tags, operations);
    await root.register(async (plugin) => {
      const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
      requireBearer(plugin, deps.authenticator);

      app.get('/signin/mfa', { config, schema: { tags } }, async (request) => mfaStatusWire(await signin.mfa.status(actorOf(request))));

      app.post('/signin/mfa/totp', { config, schema: { tags } }, async (request, reply) =>
        reply.status(201).send(totpEnrolmentWire(await signin.mfa.enrolTotp(actorOf(request)))),
      );

      app.post('/signin/mfa/totp/confirm', { config, schema: { tags, body: PasscodeBody } }, async (request) => {
        const confirmed = await signin.mfa.confirmTotp(actorOf(request), request.body.passcode);
        return { recovery_codes: confirmed.recoveryCodes };
      });

      app.post('/signin/mfa/totp/remove', { config, schema: { tags, body: PasscodeBody } }, async (request, reply) => {
        await signin.mfa.removeTotp(actorOf(request), request.body.passcode);
        return reply.status(204).send();
      });

      app.post('/signin/password/change', { config, schema: { tags, body: PasswordChangeBody } }, async (request, reply) => {
        await signin.passwords.change(actorOf(request), request.body.current_password, request.body.new_password);
        return reply.status(204).send();
      });

      app.get('/signin/mfa/passkeys', { config, schema: { tags } }, async (request) => ({
        passkeys: (await signin.passkeys.list(actorOf(request))).map(passkeyWire),
      }));

      app.post('/signin/mfa/passkeys/options', { config, schema: { tags } }, async (request) =>
        signin.passkeys.registrationOptions(actorOf(request)),
      );

      app.post('/signin/mfa/passkeys', { config, schema: { tags, body: PasskeyRegistrationBody } }, async (request, reply) => {
        const { name, response } = request.body;
        const passkey = await signin.passkeys.register(actorOf(request), name, { ...response, clientExtensionResults: response.clientExtensionResults ?? {} });
        return reply.status(201).send(passkeyWire(passkey));
      });

      app.delete('/signin/mfa/passkeys/:passkey_id', { config, schema: { tags, params: PasskeyParams } }, async (request, reply) => {
        await signin.passkeys.remove(actorOf(request), request.params.passkey_id);
        return reply.status(204).send();
      });
    });

    const app = root.withTypeProvider<TypeBoxTypeProvider>();

    app.post('/signin/password', { config, schema: { tags, body: SignInBody } }, async (request, reply) => {
      const b = request.body;
      const started = await signin.sessions.start(
        {
          username: b.username,
          password: b.password,
          ...(b.account ? { account: b.account } : {}),
          ...(b.passcode ? { passcode: b.passcode } : {}),
          ...(b.webauthn ? { webauthn: b.webauthn } : {}),
        },
        originOf(request),
      );
      return sendStartedSession(request, reply, started);
    });

    app.post('/signin/passkey/options', { config, schema: { tags, body: PasskeySignInBody } }, async (request, reply) => {
      const b = request.body;
      const options = await signin.passkeyOptions({ username: b.username, password: b.password, ...(b.account ? { account: b.account } : {}) }, originOf(request));
      return reply.header('cache-control', 'no-store').send(options);
    });

    app.get('/signin/sessions', { config, schema: { tags } }, async (request) => {
      const current = await signin.sessions.current(cookieOf(request, SESSION_COOKIE));
      const sessions = await signin.sessions.list(current);
      return { sessions: sessions.map((s) => ({ ...sessionWire(s), current: s.id === current.id })) };
    });

    app.delete('/signin/sessions/:session_id', { config, schema: { tags, params: SessionParams } }, async (request, reply) => {
      const current = await signin.sessions.current(cookieOf(request, SESSION_COOKIE), csrfOf(request));
      await signin.sessions.end(current, request.params.session_id, request.id);
      return reply.status(204).send();
    });

    app.post('/signin/logout', { config, schema: { tags } }, async (request, reply) => {
      const current = await signin.sessions.current(cookieOf(request, SESSION_COOKIE), csrfOf(request));
      await signin.sessions.end(current, current.id, request.id);
      setSessionCookie(request, reply, '', 0);
      return reply.status(204).send();
    });

    app.post('/signin/password/reset', { config, schema: { tags, body: ResetRequestBody } }, async (request, reply) => {
      await signin.passwords.requestReset(request.body.username, request.id);
      return reply.status(202).send();
    });

    app.post('/signin/password/reset/confirm', { config, schema: { tags, body: ResetConfirmBody } }, async (request, reply) => {
      await signin.passwords.confirmReset(request.body.token, request.body.password, request.id);
      return reply.status(204).send();
    });
  };
}
