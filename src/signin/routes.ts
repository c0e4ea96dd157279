import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { describeOperations, type Operations } from '../http/openapi.js';
import { ResetConfirmBody, ResetRequestBody } from './schemas.js';
import type { SignInService } from './service.js';

export interface SignInRoutesDeps {
  signin: SignInService;
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
};

/** The JSON sign-in API under `/signin` (handbook error shape). */
export function signInRoutes(deps: SignInRoutesDeps): FastifyPluginAsync {
  const { signin } = deps;
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    describeOperations(plugin, 'handbook', tags, operations);

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
