import { randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';
import type { ProfileStore } from '../identity/profiles/store.js';
import type { ProfileIdentity, TrustedProfile } from '../identity/types.js';
import type { Clock } from '../kernel/clock.js';
import { DomainError } from '../kernel/errors.js';
import type { Authenticator, Principal } from '../kernel/principal.js';
import { matchProfile, type CrLink, type CrRule } from '../workload/match.js';
import type { WorkloadService } from '../workload/service.js';
import type { WorkloadIdentity } from '../workload/types.js';
import { profileGrantErrors as errors, tokenErrors } from './errors.js';
import type { AuthnLevel } from '../signin/types.js';
import type { GrantAdmission } from './service.js';
import type { SigningKeys } from './signing-keys.js';
import {
  ASSUME_GRANT,
  CR_TOKEN_GRANT,
  DEFAULT_ACCESS_TOKEN_SECONDS,
  MAX_ACCESS_TOKEN_SECONDS,
  TOKEN_SCOPE,
  type AccessTokenClaims,
  type AuthnClaim,
  type TokenResponse,
} from './types.js';

/**
 * The trusted-profile grants of `POST /identity/token` (tokens.md §2) and `POST /identity/profiles`:
 *
 * - cr-token: a compute resource's token (verified by src/workload/: a trusted issuer of the
 *   profile's account, signature, audience, expiry) → a token of the profile named by
 *   `profile_id`, `profile_crn` or `profile_name` (in the account that trusts the token's issuer,
 *   or `account`), when one of the profile's links or `Profile-CR` rules matches the token.
 * - assume: a caller's access token (a user or service ID of this server) → a token of the
 *   profile named by `profile_id`, `profile_crn` or `profile_name` + `account`, when the profile's
 *   identity list names the caller (a user: from the profile's account, or from an account its
 *   entry lists). Profile-SAML rules are for federated sign-in, not this grant. When the profile's
 *   account requires MFA, a user's token must carry that level (`acr`), and the profile token
 *   carries the caller's `acr` and `amr` on.
 *
 * A profile token's subject is the profile (`iam-Profile-…`, `sub_type` Profile, `account.bss` the
 * profile's account), so it reaches exactly what the profile's policies and access groups give;
 * `authn` names who assumed it. Its lifetime is the profile account's access-token lifetime, and
 * for a cr-token that only rules matched, at most the longest `expiration` among them. No
 * refresh token (IBM issues none); clients repeat the grant. A profile that no longer exists is
 * refused here and, for tokens already issued, by the authenticator within its cache bound.
 */

export interface ProfileGrantDeps {
  clock: Clock;
  signingKeys: Pick<SigningKeys, 'current'>;
  issuer: () => string;
  profiles: Pick<
    ProfileStore,
    'getProfile' | 'getProfileByIamId' | 'getProfileByName' | 'getProfileByCrn' | 'claimRulesOf' | 'linksOf' | 'identitiesOf' | 'profilesAssumableBy' | 'listProfiles'
  >;
  workload: Pick<WorkloadService, 'issuerOf' | 'issuersByUrl' | 'verify' | 'refused'>;
  /** Verifies a caller's access token (of this server) for the assume grant. */
  authenticator: Authenticator;
  /** The settings of an account that profile grants apply. */
  settingsOf: (accountId: string) => Promise<{ accessTokenSeconds: string; mfa: string }>;
}

/** The body of `POST /identity/profiles`. */
export interface AssumableProfiles {
  count: number;
  profiles: TrustedProfile[];
}

/** A non-empty string form field, else undefined. */
function field(form: Record<string, unknown>, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * How long an account's token settings are remembered, in ms: a changed lifetime or MFA
 * requirement reaches profile grants within this bound (the authenticator's cache bound).
 */
const SETTINGS_CACHE_MS = 1000;
const SETTINGS_CACHE_LIMIT = 10_000;

/** Profiles of an account a cr-token listing reads at most (pages of 100). */
const LISTING_LIMIT = 1000;

/**
 * The `acr` a user's token needs to assume a profile of an account with that `mfa` setting (our
 * reading of IBM's levels: TOTP and LEVEL1/2 ask for a second factor, LEVEL3 a hardware one).
 */
function requiredAcr(mfa: string): number {
  if (mfa === 'LEVEL3') return 3;
  if (mfa === 'TOTP' || mfa === 'TOTP4ALL' || mfa === 'LEVEL1' || mfa === 'LEVEL2') return 2;
  return 0;
}

function lifetimeOf(setting: string): number {
  const n = /^\d+$/.test(setting) ? Number(setting) : Number.NaN;
  return Number.isInteger(n) && n > 0 && n <= MAX_ACCESS_TOKEN_SECONDS ? n : DEFAULT_ACCESS_TOKEN_SECONDS;
}

interface ProfileReference {
  id?: string;
  crn?: string;
  name?: string;
  account?: string;
}

function referenceOf(form: Record<string, unknown>): ProfileReference {
  const reference: ProfileReference = {};
  const id = field(form, 'profile_id');
  const crn = field(form, 'profile_crn');
  const name = field(form, 'profile_name');
  const account = field(form, 'account');
  if (id) reference.id = id;
  if (crn) reference.crn = crn;
  if (name) reference.name = name;
  if (account) reference.account = account;
  if (!id && !crn && !name) throw tokenErrors.missingProperty('profile_id');
  return reference;
}

const describe = (r: ProfileReference) => r.id ?? r.crn ?? r.name ?? '';

export function createProfileGrants(deps: ProfileGrantDeps) {
  const { clock, signingKeys, issuer, profiles, workload } = deps;
  const settingsCache = new Map<string, { until: number; settings: { accessTokenSeconds: string; mfa: string } }>();

  async function settingsOf(accountId: string) {
    const now = Date.now();
    const known = settingsCache.get(accountId);
    if (known && known.until > now) return known.settings;
    const settings = await deps.settingsOf(accountId);
    if (settingsCache.size >= SETTINGS_CACHE_LIMIT) settingsCache.clear();
    settingsCache.set(accountId, { until: now + SETTINGS_CACHE_MS, settings });
    return settings;
  }

  /**
   * The profile a reference names. When it gives several of id, CRN and name, they must name the
   * same profile (the ContainerAuthenticator may send both id and name). A name is looked up in
   * `nameAccount`. Undefined when there is no such profile.
   */
  async function profileOf(reference: ProfileReference, nameAccount: string | undefined): Promise<TrustedProfile | undefined> {
    const found: Array<TrustedProfile | undefined> = [];
    if (reference.id) found.push(await profiles.getProfile(reference.id));
    if (reference.crn) found.push(await profiles.getProfileByCrn(reference.crn));
    if (reference.name) found.push(nameAccount === undefined ? undefined : await profiles.getProfileByName(nameAccount, reference.name));
    const first = found[0];
    if (!first || found.some((p) => p?.id !== first.id)) return undefined;
    return first;
  }

  async function sign(profile: TrustedProfile, grantType: string, authn: AuthnClaim | undefined, acr: number, amr: string[], seconds: number, clientId: string): Promise<TokenResponse> {
    const now = clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + seconds;
    const claims: AccessTokenClaims = {
      iam_id: profile.iamId,
      id: profile.iamId,
      realmid: 'iam',
      jti: randomUUID(),
      identifier: profile.id,
      name: profile.name,
      sub: profile.id,
      sub_type: 'Profile',
      ...(authn ? { authn } : {}),
      account: { valid: true, bss: profile.accountId },
      iat,
      exp,
      iss: issuer(),
      grant_type: grantType,
      scope: TOKEN_SCOPE,
      client_id: clientId,
      acr,
      amr,
    };
    const { kid, key } = signingKeys.current();
    const accessToken = await new SignJWT({ ...claims }).setProtectedHeader({ kid, alg: 'RS256' }).sign(key);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: seconds, expiration: exp, scope: TOKEN_SCOPE };
  }

  const asRules = (rules: Awaited<ReturnType<typeof profiles.claimRulesOf>>): CrRule[] =>
    rules.map((r) => ({ id: r.id, type: r.type, crType: r.crType, conditions: r.conditions, expiration: r.expiration }));
  const asLinks = (links: Awaited<ReturnType<typeof profiles.linksOf>>): CrLink[] => links.map((l) => ({ id: l.id, crType: l.crType, link: l.target }));

  async function matchOf(identity: WorkloadIdentity, profile: TrustedProfile) {
    const [rules, links] = await Promise.all([profiles.claimRulesOf(profile.id), profiles.linksOf(profile.id)]);
    return matchProfile(identity, asRules(rules), asLinks(links));
  }

  /** The accounts that trust the issuer of a cr token (a malformed token or an untrusted issuer is refused). */
  async function trustingAccounts(crToken: string): Promise<string[]> {
    const iss = await workload.issuerOf(crToken);
    const accounts = [...new Set((await workload.issuersByUrl(iss)).map((i) => i.accountId))];
    if (accounts.length === 0) {
      // Verification says so in its own words (and counts it).
      await workload.verify(crToken);
    }
    return accounts;
  }

  async function crTokenGrant(form: Record<string, unknown>, clientId: string, admit?: GrantAdmission): Promise<TokenResponse> {
    const crToken = field(form, 'cr_token');
    if (!crToken) throw tokenErrors.missingProperty('cr_token');
    const reference = referenceOf(form);
    const accounts = await trustingAccounts(crToken);
    const nameAccount = reference.account ?? (accounts.length === 1 ? accounts[0] : undefined);
    const profile = await profileOf(reference, nameAccount);
    // A profile of an account that does not trust the issuer answers like a missing one.
    if (!profile || !accounts.includes(profile.accountId)) {
      workload.refused('profile_not_found');
      throw errors.profileNotFound(describe(reference));
    }
    const identity = await workload.verify(crToken, profile.accountId);
    const match = await matchOf(identity, profile);
    if (!match.matched) {
      workload.refused('not_matched');
      throw errors.notAssumable(profile.id, 'No link or Profile-CR claim rule of the profile matches the compute resource token.');
    }
    await admit?.({ accountId: profile.accountId, iamId: profile.iamId });
    const settings = await settingsOf(profile.accountId);
    let seconds = lifetimeOf(settings.accessTokenSeconds);
    if (match.links.length === 0) {
      const longest = Math.max(...match.rules.map((r) => r.expiration ?? 0));
      if (longest > 0) seconds = Math.min(seconds, longest);
    }
    const sub = typeof identity.claims.sub === 'string' ? identity.claims.sub : identity.crn;
    const authn: AuthnClaim = { sub, iam_id: `crn-${identity.crn}`, sub_type: 'CRN', name: identity.name ?? sub };
    return sign(profile, CR_TOKEN_GRANT, authn, 1, ['cr_token'], seconds, clientId);
  }

  /** The caller of an assume grant or listing: its principal and the claims of its token. */
  async function callerOf(accessToken: string): Promise<{ principal: Principal; claims: Record<string, unknown> }> {
    let principal: Principal;
    try {
      principal = await deps.authenticator.authenticate(accessToken);
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'unauthenticated') throw errors.invalidAccessToken(error.message);
      throw error;
    }
    if (principal.kind === 'profile') throw errors.invalidAccessToken('A trusted profile token cannot assume a trusted profile.');
    return { principal, claims: decodeJwt(accessToken) };
  }

  /** Whether the profile's identity list lets the caller assume it. */
  function listed(identities: readonly ProfileIdentity[], profile: TrustedProfile, caller: Principal): boolean {
    return identities.some((entry) => {
      if (entry.iamId !== caller.iamId) return false;
      if (entry.type !== 'user') return true;
      const from = entry.accounts.length > 0 ? entry.accounts : [profile.accountId];
      return from.includes(caller.accountId);
    });
  }

  async function assumeGrant(form: Record<string, unknown>, clientId: string, admit?: GrantAdmission): Promise<TokenResponse> {
    const accessToken = field(form, 'access_token');
    if (!accessToken) {
      if (field(form, 'refresh_token') || field(form, 'cookie')) {
        throw tokenErrors.invalidProperty('access_token', 'This server assumes trusted profiles with an access_token only; refresh_token and cookie are not supported.');
      }
      throw tokenErrors.missingProperty('access_token');
    }
    const reference = referenceOf(form);
    if (reference.name && !reference.account && !reference.id && !reference.crn) throw tokenErrors.missingProperty('account');
    const { principal, claims } = await callerOf(accessToken);
    const profile = await profileOf(reference, reference.account);
    const identities = profile ? await profiles.identitiesOf(profile.id) : [];
    // A profile the caller may not assume answers like a missing one when the caller is of another account.
    if (!profile || (profile.accountId !== principal.accountId && !listed(identities, profile, principal))) {
      throw errors.profileNotFound(describe(reference));
    }
    if (!listed(identities, profile, principal)) throw errors.notAssumable(profile.id, 'The profile\'s identities do not name the caller.');
    const settings = await settingsOf(profile.accountId);
    const acr = typeof claims.acr === 'number' ? claims.acr : 1;
    if (principal.kind === 'user' && acr < requiredAcr(settings.mfa)) throw errors.mfaRequired(profile.accountId);
    await admit?.({ accountId: profile.accountId, iamId: profile.iamId });
    const amr = Array.isArray(claims.amr) ? claims.amr.filter((m): m is string => typeof m === 'string') : [];
    const sub = typeof claims.sub === 'string' ? claims.sub : principal.iamId;
    const subType = principal.kind === 'serviceid' ? 'ServiceId' : 'user';
    const authn: AuthnClaim = { sub, iam_id: principal.iamId, sub_type: subType, name: principal.name };
    return sign(profile, ASSUME_GRANT, authn, acr, amr, lifetimeOf(settings.accessTokenSeconds), clientId);
  }

  /** Every profile of the account, up to LISTING_LIMIT. */
  async function profilesOfAccount(accountId: string): Promise<TrustedProfile[]> {
    const out: TrustedProfile[] = [];
    let cursor: { direction: 'after'; key: [string, string]; offset: number } | undefined;
    while (out.length < LISTING_LIMIT) {
      const slice = await profiles.listProfiles({ accountId }, { sortColumn: 'created_at', order: 'asc', size: 100, ...(cursor ? { cursor } : {}) });
      out.push(...slice.items);
      const last = slice.keys[slice.keys.length - 1];
      if (!slice.more || !last) break;
      cursor = { direction: 'after', key: last, offset: out.length };
    }
    return out;
  }

  return {
    handles: (grantType: string) => grantType === CR_TOKEN_GRANT || grantType === ASSUME_GRANT,

    grant(grantType: string, form: Record<string, unknown>, clientId: string, admit?: GrantAdmission): Promise<TokenResponse> {
      return grantType === CR_TOKEN_GRANT ? crTokenGrant(form, clientId, admit) : assumeGrant(form, clientId, admit);
    },

    /**
     * A token of the trusted profile a federated browser session is signed in as (src/federation:
     * the person chose the profile; the console's bearer token): the session's sign-in level, the
     * profile account's token lifetime and never past `notAfter` (the session's end), no refresh
     * token. No `authn`: the session does not keep the federated person's claims. A profile deleted
     * since (or of another account) is refused.
     */
    async sessionToken(signedIn: { iamId: string; accountId: string; authn: AuthnLevel }, notAfter: Date, clientId: string, admit?: GrantAdmission): Promise<TokenResponse> {
      const profile = await profiles.getProfileByIamId(signedIn.iamId);
      if (!profile || profile.accountId !== signedIn.accountId) throw errors.profileNotFound(signedIn.iamId);
      await admit?.({ accountId: profile.accountId, iamId: profile.iamId });
      const settings = await settingsOf(profile.accountId);
      const left = Math.floor(notAfter.getTime() / 1000) - Math.floor(clock.now().getTime() / 1000);
      const seconds = Math.max(1, Math.min(lifetimeOf(settings.accessTokenSeconds), left));
      return sign(profile, signedIn.authn.grantType, undefined, signedIn.authn.acr, signedIn.authn.amr, seconds, clientId);
    },

    /**
     * `POST /identity/profiles`: the profiles a compute resource's token (`cr_token`) or a caller's
     * access token (`access_token`) may assume, in the accounts that trust the token's issuer, or
     * whose identity lists name the caller.
     */
    async assumable(form: Record<string, unknown>): Promise<AssumableProfiles> {
      const crToken = field(form, 'cr_token');
      const found: TrustedProfile[] = [];
      if (crToken) {
        for (const accountId of await trustingAccounts(crToken)) {
          const identity = await workload.verify(crToken, accountId);
          for (const profile of await profilesOfAccount(accountId)) {
            if ((await matchOf(identity, profile)).matched) found.push(profile);
          }
        }
        return { count: found.length, profiles: found };
      }
      const accessToken = field(form, 'access_token');
      if (!accessToken) throw tokenErrors.missingProperty('access_token');
      const { principal } = await callerOf(accessToken);
      for (const id of await profiles.profilesAssumableBy(principal.iamId)) {
        const profile = await profiles.getProfile(id);
        if (profile && listed(await profiles.identitiesOf(id), profile, principal)) found.push(profile);
      }
      return { count: found.length, profiles: found };
    },
  };
}

export type ProfileGrants = ReturnType<typeof createProfileGrants>;
