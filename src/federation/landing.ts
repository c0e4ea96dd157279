import { randomBytes } from 'node:crypto';
import { conditionHolds } from '../access-groups/rules.js';
import { hashSecret } from '../kernel/secrets.js';
import type { AuthnLevel, SignedIn } from '../signin/types.js';
import type { OpenedSession } from '../signin/sessions.js';
import type { FederationContext } from './context.js';
import { federationErrors as errors, FederationRefusal, refuse } from './errors.js';
import type { ProfileRuleRow } from './store.js';
import type { Assertion, Choices, IdentityProvider, ProfileChoice } from './types.js';
import type { Operator } from '../access-groups/types.js';

/**
 * What follows an identity provider's checked answer (IBM's federated sign-in):
 * - the person is the account's member when an ACTIVE user of the account has the asserted e-mail
 *   (the IdP's `email` claim as mapped, else the NameID / `sub`);
 * - the trusted profiles they may sign in as are those with a Profile-SAML rule for the IdP's realm
 *   (its issuer) whose conditions all hold on the claims;
 * - neither: refused. Otherwise the browser gets a ticket (single use, `ticketTtlSeconds`) to
 *   choose with: as the member (dynamic access-group rules are then applied to the claims, the
 *   memberships lasting the rules' hours) or as one of the profiles (a session lasting the
 *   matching rule's expiration).
 *
 * The claims are kept only inside the ticket, which is deleted when it is used or expires; what
 * outlives it is what IBM keeps too: the dynamic memberships (until the rules' expiration) and the
 * session (until its end).
 */

export interface LandingDeps {
  /** Opens a browser session (src/signin). */
  openSession: (signedIn: SignedIn, requestId: string, options?: { maxSeconds?: number }) => Promise<OpenedSession>;
  /** Applies the account's dynamic access-group rules of a realm to a member's claims (src/access-groups). */
  applyFederatedLogin: (accountId: string, iamId: string, realmName: string, claims: Record<string, unknown>, requestId: string) => Promise<unknown>;
}

/** Whether the IdP's reported methods include a second factor (RFC 8176 `amr`, SAML context classes). */
const MFA_METHODS = /^(mfa|otp|hwk|swk|sms|pop|fido|totp)$|MultiFactor|TimeSyncToken|MobileTwoFactor|Smartcard/i;

function authnOf(idp: IdentityProvider, assertion: Assertion): AuthnLevel {
  const mfa = assertion.methods.some((m) => MFA_METHODS.test(m));
  return { grantType: `federation:${idp.protocol}`, acr: mfa ? 2 : 1, amr: mfa ? ['fed', 'mfa'] : ['fed'] };
}

const firstText = (value: unknown): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
};

type Condition = ProfileRuleRow['conditions'][number];

/**
 * A Profile-SAML condition on the claims, with the access-group rules' semantics (rules.ts there);
 * NOT_IN, which only profile rules have, holds when the claim is present and none of its values is
 * in the list.
 */
function holds(condition: Condition, claims: Record<string, unknown>): boolean {
  if (condition.operator !== 'NOT_IN') return conditionHolds({ ...condition, operator: condition.operator as Operator }, claims);
  const claim = claims[condition.claim];
  if (claim === undefined || claim === null) return false;
  const values = Array.isArray(claim) ? claim : [claim];
  return values.every((v) => !conditionHolds({ claim: 'v', operator: 'IN', value: condition.value }, { v }));
}

/** The profiles whose rules match, each once, with the longest session among its matching rules. */
function matchingProfiles(rules: readonly ProfileRuleRow[], claims: Record<string, unknown>): ProfileChoice[] {
  const chosen = new Map<string, ProfileChoice>();
  for (const rule of rules) {
    if (!rule.conditions.every((c) => holds(c, claims))) continue;
    const known = chosen.get(rule.profileId);
    if (known) known.sessionSeconds = Math.max(known.sessionSeconds, rule.expiration);
    else chosen.set(rule.profileId, { profileId: rule.profileId, iamId: rule.iamId, name: rule.name, description: rule.description, sessionSeconds: rule.expiration });
  }
  return [...chosen.values()];
}

export function createLanding(ctx: FederationContext, deps: LandingDeps) {
  const { store, clock, writer, settings } = ctx;

  const auditFailure = (idp: IdentityProvider | undefined, idpId: string, requestId: string, reason: string) =>
    writer.auditFailure(
      {
        requestId,
        initiatorIamId: `federation:${idpId}`,
        initiatorAccountId: idp?.accountId ?? null,
        accountId: idp?.accountId ?? null,
        action: 'iam-identity.federation.login',
        targetType: 'idp',
        targetId: idpId,
      },
      reason,
    );

  /** What the choices of a ticket are, recomputed from its claims (a profile rule changed meanwhile counts). */
  async function choicesOf(ticketHash: string, now: string): Promise<Choices & { claims: Record<string, unknown>; authn: AuthnLevel; realm: string }> {
    const ticket = await store.peekTicket(ticketHash, now);
    const stored = ticket && (await store.getIdp(ticket.idpId));
    if (!ticket || !stored) throw errors.ticketInvalid();
    const profiles = matchingProfiles(await store.profileRulesOfRealm(ticket.accountId, stored.idp.issuer), ticket.claims);
    return {
      accountId: ticket.accountId,
      idpId: ticket.idpId,
      subject: ticket.subject,
      name: firstText(ticket.claims[stored.idp.claimMapping.name]) ?? null,
      memberIamId: ticket.memberIamId,
      profiles,
      expiresAt: ticket.expiresAt,
      claims: ticket.claims,
      authn: JSON.parse(ticket.authn) as AuthnLevel,
      realm: stored.idp.issuer,
    };
  }

  return {
    auditFailure,

    /**
     * Runs a flow's check of an IdP's answer and turns the person into a ticket; a refusal (or a
     * person with no way in) is audited with its reason and rethrown.
     */
    async land(idp: IdentityProvider, requestId: string, check: () => Promise<Assertion>): Promise<{ ticket: string; expiresAt: string }> {
      try {
        const assertion = await check();
        const email = firstText(assertion.claims[idp.claimMapping.email]) ?? assertion.subject;
        const memberIamId = (await store.memberByEmail(idp.accountId, email)) ?? null;
        if (!memberIamId) {
          const profiles = matchingProfiles(await store.profileRulesOfRealm(idp.accountId, idp.issuer), assertion.claims);
          if (profiles.length === 0) throw refuse('no_subject', 'You are not a member of this account and no trusted profile of it accepts your sign-in.');
        }
        const ticket = randomBytes(32).toString('base64url');
        const now = clock.now();
        const expiresAt = new Date(now.getTime() + settings.ticketTtlSeconds * 1000).toISOString();
        await writer.write(async (w) => {
          await store.putTicket(w.trx, hashSecret(ticket), {
            idpId: idp.id,
            accountId: idp.accountId,
            subject: assertion.subject,
            memberIamId,
            claims: assertion.claims,
            authn: JSON.stringify(authnOf(idp, assertion)),
            createdAt: now.toISOString(),
            expiresAt,
          });
        });
        return { ticket, expiresAt };
      } catch (error) {
        await auditFailure(idp, idp.id, requestId, error instanceof FederationRefusal ? error.reason : error instanceof Error && 'code' in error ? String(error.code) : 'error');
        throw error;
      }
    },

    /** The choices a live ticket offers (it stays usable). */
    async choices(ticket: string): Promise<Choices> {
      const { claims: _claims, authn: _authn, realm: _realm, ...choices } = await choicesOf(hashSecret(ticket), clock.now().toISOString());
      return choices;
    },

    /**
     * Spends the ticket and opens a session: as the trusted profile `profileId` (one of the
     * choices), or as the member when no profile is given (refused for a non-member). Signing in as
     * the member applies the dynamic access-group rules first.
     */
    async choose(ticket: string, profileId: string | undefined, requestId: string): Promise<OpenedSession> {
      const hash = hashSecret(ticket);
      const now = clock.now().toISOString();
      const offered = await choicesOf(hash, now);
      const profile = profileId === undefined ? undefined : offered.profiles.find((p) => p.profileId === profileId);
      if (profileId !== undefined && !profile) throw errors.choiceRefused(`Trusted profile ${profileId}`);
      if (profileId === undefined && !offered.memberIamId) throw errors.choiceRefused('Signing in as a member');
      const { value: spent } = await writer.write((w) => store.takeTicket(w.trx, hash, now));
      if (!spent) throw errors.ticketInvalid();
      const iamId = profile ? profile.iamId : offered.memberIamId!;
      if (!profile) await deps.applyFederatedLogin(offered.accountId, iamId, offered.realm, offered.claims, requestId);
      const opened = await deps.openSession(
        { iamId, accountId: offered.accountId, authn: offered.authn },
        requestId,
        profile ? { maxSeconds: profile.sessionSeconds } : {},
      );
      await writer.write(async (w) =>
        w.audit({
          requestId,
          initiatorIamId: iamId,
          initiatorAccountId: offered.accountId,
          accountId: offered.accountId,
          action: 'iam-identity.federation.login',
          targetType: 'idp',
          targetId: offered.idpId,
          detail: { session_id: opened.session.id, as: profile ? 'profile' : 'user', ...(profile ? { profile_id: profile.profileId } : {}), acr: offered.authn.acr },
        }),
      );
      return opened;
    },
  };
}

export type Landing = ReturnType<typeof createLanding>;
