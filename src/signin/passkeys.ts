import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { notFound } from '../kernel/errors.js';
import { ids } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import { conflictOnDuplicate } from '../store/conflicts.js';
import type { SignInContext, WebAuthnParty } from './context.js';
import { signinErrors as errors } from './errors.js';
import type { Revoked } from './revocation.js';
import type { Revocation } from './revocation.js';
import type { ChallengePurpose, PasskeyRow } from './store.js';

/** A passkey as its owner sees it (never the key material). */
export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string;
}

/** How long a registration or sign-in challenge can be answered, in seconds. */
export const CHALLENGE_TTL_SECONDS = 300;
/** Passkeys one user may hold. */
export const MAX_PASSKEYS = 20;
/** ES256, EdDSA, RS256: what authenticators offer. */
const ALGORITHMS = [-7, -8, -257];

const passkeyOf = (row: PasskeyRow): Passkey => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
});

/** The challenge a response answers (from its client data), or undefined when the response is malformed. */
function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge?: unknown };
    return typeof data.challenge === 'string' && data.challenge.length > 0 && data.challenge.length <= 512 ? data.challenge : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Passkeys (WebAuthn, @simplewebauthn/server): a signed-in user registers several, named (unique
 * per user), lists and removes them; at sign-in, after the password, a passkey assertion is the
 * second factor. Challenges are random, stored server-side bound to the user (and the account of a
 * sign-in), spent once (a conditional delete, before the response is verified: a failed attempt
 * uses the challenge up too) and expire after CHALLENGE_TTL_SECONDS. The relying party id and the
 * accepted origins come from config (`webauthn`). Attestation is `none`: Portcullis does not
 * restrict authenticator models. The signature counter is checked by the library (it must grow
 * when the authenticator counts) and moved by a conditional update, so a cloned authenticator or
 * a replay is refused.
 */
export function createPasskeyOperations(ctx: SignInContext, revocation: Revocation) {
  const { store, writer, clock } = ctx;
  const now = () => clock.now().toISOString();
  const expiry = () => new Date(clock.now().getTime() + CHALLENGE_TTL_SECONDS * 1000).toISOString();

  function userOf(actor: Actor): string {
    if (actor.principal.kind !== 'user') throw errors.usersOnly();
    return actor.principal.iamId;
  }

  async function spend(challenge: string | undefined, purpose: ChallengePurpose, iamId: string) {
    if (challenge === undefined) return undefined;
    return (await writer.write((w) => store.spendChallenge(w.trx, challenge, purpose, iamId, now()))).value;
  }

  const auditOf = (actor: Actor, action: string, targetId: string, detail?: Record<string, unknown>) => ({
    requestId: actor.requestId,
    initiatorIamId: actor.principal.iamId,
    initiatorAccountId: actor.principal.accountId,
    accountId: actor.principal.accountId,
    action,
    targetType: 'passkey',
    targetId,
    ...(detail ? { detail } : {}),
  });

  return {
    /** Options for `navigator.credentials.create()` for the calling user; its challenge is stored. */
    async registrationOptions(actor: Actor): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const iamId = userOf(actor);
      const [user, existing] = await Promise.all([store.userById(iamId), store.passkeysOf(iamId)]);
      if (existing.length >= MAX_PASSKEYS) throw errors.tooManyPasskeys(MAX_PASSKEYS);
      const rp = ctx.webauthn();
      const options = await generateRegistrationOptions({
        rpName: rp.rpName,
        rpID: rp.rpId,
        userName: user?.userId ?? iamId,
        userID: new TextEncoder().encode(iamId),
        userDisplayName: user?.email ?? '',
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: JSON.parse(p.transports) as string[] })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
        supportedAlgorithmIDs: ALGORITHMS,
        timeout: CHALLENGE_TTL_SECONDS * 1000,
      });
      await writer.write((w) => store.putChallenge(w.trx, { challenge: options.challenge, purpose: 'register', iamId, accountId: null, expiresAt: expiry() }, now()));
      return options;
    },

    /**
     * Verifies the authenticator's answer to a registration challenge of the caller's and stores
     * the passkey under `name`. 400 when the challenge is not the caller's, expired or used, or the
     * answer does not verify; 409 for a name the caller already uses or a passkey registered already.
     */
    async register(actor: Actor, name: string, response: RegistrationResponseJSON): Promise<Passkey> {
      const iamId = userOf(actor);
      const challenge = challengeOf(response.response.clientDataJSON);
      if (!(await spend(challenge, 'register', iamId))) throw errors.passkeyChallengeInvalid();
      const rp = ctx.webauthn();
      const verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge!,
        expectedOrigin: rp.origins,
        expectedRPID: rp.rpId,
        requireUserVerification: false,
        supportedAlgorithmIDs: ALGORITHMS,
      }).catch((error: unknown) => {
        throw errors.passkeyResponseInvalid(error instanceof Error ? error.message : 'it does not verify');
      });
      if (!verified.verified) throw errors.passkeyResponseInvalid('it does not verify');
      const { credential } = verified.registrationInfo;
      const row: PasskeyRow = {
        id: ids.uuid(),
        credential_id: credential.id,
        iam_id: iamId,
        name,
        public_key: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? []),
        created_at: now(),
        last_used_at: null,
      };
      await conflictOnDuplicate(
        writer.write(async (w) => {
          await store.insertPasskey(w.trx, row);
          w.audit(auditOf(actor, 'iam-identity.mfa.passkey-register', row.id, { name }));
        }),
        () => errors.passkeyExists(name),
      );
      return passkeyOf(row);
    },

    /** The caller's passkeys, oldest first. */
    async list(actor: Actor): Promise<Passkey[]> {
      return (await store.passkeysOf(userOf(actor))).map(passkeyOf);
    },

    /**
     * Removes one of the caller's passkeys (404 for another user's): removing a second factor
     * revokes the user's sessions and tokens everywhere, the caller's too.
     */
    async remove(actor: Actor, id: string): Promise<void> {
      const iamId = userOf(actor);
      const { value } = await writer.write(async (w): Promise<Revoked> => {
        if (!(await store.deletePasskey(w.trx, iamId, id))) throw notFound('Passkey', id);
        w.audit(auditOf(actor, 'iam-identity.mfa.passkey-remove', id));
        return revocation.revokeIn(w, iamId, 'mfa_removed', { requestId: actor.requestId, initiator: iamId });
      });
      revocation.counted(value);
    },

    /** Whether the user holds a passkey. */
    async enrolled(iamId: string): Promise<boolean> {
      return (await store.passkeysOf(iamId)).length > 0;
    },

    /**
     * Options for `navigator.credentials.get()` for a user whose password checked out, signing in
     * to `accountId`: their passkeys, and a challenge stored for that user and account.
     */
    async authenticationOptions(iamId: string, accountId: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const passkeys = await store.passkeysOf(iamId);
      if (passkeys.length === 0) throw errors.passkeyNotEnrolled();
      const options = await generateAuthenticationOptions({
        rpID: ctx.webauthn().rpId,
        allowCredentials: passkeys.map((p) => ({ id: p.credential_id, transports: JSON.parse(p.transports) as string[] })),
        userVerification: 'preferred',
        timeout: CHALLENGE_TTL_SECONDS * 1000,
      });
      await writer.write((w) => store.putChallenge(w.trx, { challenge: options.challenge, purpose: 'authenticate', iamId, accountId, expiresAt: expiry() }, now()));
      return options;
    },

    /**
     * Checks a passkey assertion as the second factor of `iamId` signing in to `accountId`: the
     * challenge must be one handed out for that user and account (spent now), the credential one of
     * theirs, the signature and counter good. True when it proves the passkey; records its use.
     */
    async verify(iamId: string, accountId: string, response: AuthenticationResponseJSON, requestId: string): Promise<boolean> {
      const challenge = challengeOf(response.response.clientDataJSON);
      const issued = await spend(challenge, 'authenticate', iamId);
      if (!issued || issued.accountId !== accountId) return false;
      const passkey = await store.passkeyByCredential(iamId, response.id);
      if (!passkey) return false;
      const rp = ctx.webauthn();
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge!,
        expectedOrigin: rp.origins,
        expectedRPID: rp.rpId,
        credential: {
          id: passkey.credential_id,
          publicKey: new Uint8Array(Buffer.from(passkey.public_key, 'base64url')),
          counter: Number(passkey.counter),
          transports: JSON.parse(passkey.transports) as string[],
        },
        requireUserVerification: false,
      }).catch(() => undefined);
      if (!verified?.verified) return false;
      const { value } = await writer.write(async (w) => {
        const at = now();
        if (!(await store.usePasskey(w.trx, passkey.id, Number(passkey.counter), verified.authenticationInfo.newCounter, at))) return false;
        w.audit({
          requestId,
          initiatorIamId: iamId,
          initiatorAccountId: null,
          accountId,
          action: 'iam-identity.mfa.use',
          targetType: 'user',
          targetId: iamId,
          detail: { factor: 'passkey', passkey: passkey.id },
        });
        return true;
      });
      return value;
    },
  };
}

export type PasskeyOperations = ReturnType<typeof createPasskeyOperations>;

const isText = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

/**
 * A passkey's answer to a sign-in challenge as sent (JSON), checked for the fields verification
 * reads; undefined when it is not one. (The JSON sign-in API validates it by schema; the password
 * grant receives it as a form field.)
 */
export function assertionOf(value: unknown): AuthenticationResponseJSON | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const r = v.response as Record<string, unknown> | undefined;
  if (!isText(v.id, 2048) || !isText(v.rawId, 2048) || v.type !== 'public-key' || typeof r !== 'object' || r === null) return undefined;
  if (!isText(r.clientDataJSON, 8192) || !isText(r.authenticatorData, 8192) || !isText(r.signature, 2048)) return undefined;
  if (r.userHandle !== undefined && r.userHandle !== null && !isText(r.userHandle, 2048)) return undefined;
  return {
    id: v.id,
    rawId: v.rawId,
    type: 'public-key',
    response: {
      clientDataJSON: r.clientDataJSON,
      authenticatorData: r.authenticatorData,
      signature: r.signature,
      ...(typeof r.userHandle === 'string' ? { userHandle: r.userHandle } : {}),
    },
    clientExtensionResults: {},
  };
}

/**
 * The relying party from config (`webauthn`): an empty `rpId` is the public URL's host and empty
 * `origins` its origin. Read at each use: the public URL is known once the server listens.
 */
export function relyingParty(config: { rpId: string; rpName: string; origins: readonly string[] }, siteUrl: string): WebAuthnParty {
  const site = new URL(siteUrl);
  return { rpId: config.rpId || site.hostname, rpName: config.rpName, origins: config.origins.length > 0 ? [...config.origins] : [site.origin] };
}
