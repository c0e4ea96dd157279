import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { describeOperations, noContent, ok, type Operations } from '../http/openapi.js';
import type { Authenticator } from '../kernel/principal.js';
import { MfaStatus, PasscodeBody, RecoveryCodes, ResetConfirmBody, ResetRequestBody, TotpEnrolment } from './schemas.js';
import type { SignInService } from './service.js';
import { mfaStatusWire, totpEnrolmentWire } from './wire.js';

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
    summary: 'Remove the TOTP authenticator and recovery codes (with a current code)',
    responses: noContent,
  },
};

/** The JSON sign-in API under `/signin` (handbook error shape). */
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
    });

    const app = root.withTypeProvider<TypeBoxTypeProvider>();

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
