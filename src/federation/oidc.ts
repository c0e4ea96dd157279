import * as client from 'openid-client';
import { endpointsOf, type FederationContext } from './context.js';
import { refuse, type RefusalReason } from './errors.js';
import type { StoredIdp } from './store.js';
import type { Assertion } from './types.js';

/**
 * OpenID Connect sign-in as a relying party (openid-client): discovery from the IdP's issuer,
 * authorization code flow with PKCE (S256), `state` and `nonce` stored server-side with the sealed
 * code verifier and spent once (the row is deleted before the code is redeemed: of two racing
 * callbacks one wins). openid-client verifies the ID token: signature (the IdP's JWKS, also for a
 * token from the token endpoint: non-repudiation checks on), `iss`,
 * `aud` (our client id), `exp`/`iat`/`nbf` within the configured clock tolerance, and `nonce`.
 */

/** How long a discovery or token request to the IdP may take, in ms. */
const IDP_TIMEOUT_MS = 5000;

const REFUSALS: Partial<Record<RefusalReason, string>> = {
  bad_state: 'The sign-in answer does not match a pending sign-in request of this identity provider (state).',
  bad_nonce: "The ID token's nonce is not the one of this sign-in request.",
  wrong_audience: "The ID token's audience is not this identity provider's client id.",
  wrong_issuer: "The ID token's issuer is not this identity provider's issuer.",
  expired: 'The ID token has expired or is not valid yet.',
  bad_signature: "The ID token's signature does not verify with the identity provider's keys.",
  id_token_invalid: 'The identity provider did not return a valid ID token.',
  idp_error: 'The identity provider answered with an error.',
  idp_unavailable: 'The identity provider could not be reached (discovery or token endpoint).',
  no_subject: 'The ID token names no subject.',
};
const refused = (reason: RefusalReason) => refuse(reason, REFUSALS[reason] ?? reason);

/** openid-client's failures, sorted into our refusal reasons (by its codes and messages). */
function reasonOf(error: unknown): RefusalReason {
  const e = error as { code?: string; message?: string; cause?: { message?: string } };
  // openid-client wraps oauth4webapi's error, whose message names the claim, as the cause.
  const message = `${e.message ?? ''} ${e.cause?.message ?? ''}`;
  if (e.code === 'OAUTH_AUTHORIZATION_RESPONSE_ERROR' || e.code === 'OAUTH_RESPONSE_BODY_ERROR') return 'idp_error';
  if (/nonce/.test(message)) return 'bad_nonce';
  if (/"aud"|audience/.test(message)) return 'wrong_audience';
  if (e.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' || /"exp"|"nbf"|"iat"/.test(message)) return 'expired';
  if (/"iss"|issuer/.test(message)) return 'wrong_issuer';
  if (/signature/i.test(message)) return 'bad_signature';
  if (/state/.test(message)) return 'bad_state';
  if (e.code === undefined || /fetch|ECONNREFUSED|abort|timeout/i.test(message)) return 'idp_unavailable';
  return 'id_token_invalid';
}

export function createOidcFlow(ctx: FederationContext) {
  const { store, clock, writer, settings, keyEncryption } = ctx;

  async function configOf({ idp, sealedSecret }: StoredIdp): Promise<client.Configuration> {
    const secret = sealedSecret ? keyEncryption.open(sealedSecret, idp.id) : undefined;
    try {
      return await client.discovery(
        new URL(idp.issuer),
        idp.clientId ?? '',
        { [client.clockTolerance]: settings.clockSkewSeconds },
        secret ? client.ClientSecretPost(secret) : client.None(),
        {
          // openid-client trusts an ID token from the token endpoint by its TLS channel alone unless
          // asked to verify its signature too (non-repudiation checks): we always are.
          execute: [client.enableNonRepudiationChecks, ...(settings.httpAllowed ? [client.allowInsecureRequests] : [])],
          timeout: IDP_TIMEOUT_MS / 1000,
        },
      );
    } catch {
      throw refused('idp_unavailable');
    }
  }

  return {
    /** Starts a sign-in: stores state, nonce and the sealed PKCE verifier; returns the IdP's authorization URL. */
    async loginUrl(stored: StoredIdp): Promise<string> {
      const { idp } = stored;
      const config = await configOf(stored);
      const state = client.randomState();
      const nonce = client.randomNonce();
      const verifier = client.randomPKCECodeVerifier();
      const now = clock.now();
      await writer.write(async (w) =>
        store.putRequest(w.trx, {
          id: state,
          idpId: idp.id,
          nonce,
          sealedVerifier: keyEncryption.seal(verifier, `${idp.id}/${state}`),
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + settings.requestTtlSeconds * 1000).toISOString(),
        }),
      );
      return client
        .buildAuthorizationUrl(config, {
          redirect_uri: endpointsOf(ctx.site, idp.id).callback,
          scope: idp.scopes.join(' '),
          response_type: 'code',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        })
        .toString();
    },

    /**
     * The IdP's answer at our redirect URI (`query`: its parameters): spends the request its `state`
     * names, redeems the code with the verifier and checks the ID token. The assertion, or a
     * FederationRefusal.
     */
    async answer(stored: StoredIdp, query: Record<string, string>): Promise<Assertion> {
      const { idp } = stored;
      const state = query.state;
      const now = clock.now().toISOString();
      const request = state ? await store.peekRequest(idp.id, state, now) : undefined;
      if (!state || !request?.nonce || !request.sealedVerifier) throw refused('bad_state');
      const { value: taken } = await writer.write((w) => store.takeRequest(w.trx, idp.id, state, now));
      if (!taken) throw refused('bad_state');
      const verifier = keyEncryption.open(request.sealedVerifier, `${idp.id}/${state}`);
      const config = await configOf(stored);
      const current = new URL(endpointsOf(ctx.site, idp.id).callback);
      for (const [key, value] of Object.entries(query)) current.searchParams.set(key, value);
      let claims: Record<string, unknown>;
      try {
        const tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: request.nonce,
          idTokenExpected: true,
        });
        claims = { ...(tokens.claims() ?? {}) };
      } catch (error) {
        throw refused(reasonOf(error));
      }
      const subject = typeof claims.sub === 'string' ? claims.sub : undefined;
      if (!subject) throw refused('no_subject');
      const amr = claims[idp.claimMapping.mfa];
      const methods = Array.isArray(amr) ? amr.filter((m): m is string => typeof m === 'string') : [];
      return { subject, claims, methods };
    },
  };
}

export type OidcFlow = ReturnType<typeof createOidcFlow>;
