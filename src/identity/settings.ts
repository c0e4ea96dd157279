import { isIP } from 'node:net';
import { invalid } from '../kernel/errors.js';
import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import type { Trx, Write } from '../store/unit-of-work.js';
import { audited, historyEntry, targetOf, type IdentityContext } from './context.js';
import type {
  AccountSettings,
  Detailed,
  MfaTrait,
  SettingsValues,
  UserDomainRestriction,
  UserMfaExemption,
  UserSummary,
} from './types.js';
import { presentFields } from './validate.js';

/**
 * Account identity settings (`/v1/accounts/{id}/settings/identity`). An account that never saved
 * any has the defaults below, under a fixed entity tag. An update changes only the fields it
 * names; numeric settings are decimal strings within IBM's ranges or `NOT_SET` (service default).
 * Effective settings resolve `NOT_SET` to the service defaults and name the account-settings templates
 * applied to the account (their values are written into its settings when applied).
 */

/** An account-settings template applied to the account (IdentityDeps.assignedSettingsTemplates). */
export type AssignedTemplate = Awaited<ReturnType<NonNullable<IdentityContext['assignedSettingsTemplates']>>>[number];

/** The tag of settings never saved (revision 0). */
export const DEFAULT_SETTINGS_TAG = `0-${'0'.repeat(32)}`;

export const DEFAULT_SETTINGS: SettingsValues = {
  restrictCreateServiceId: 'NOT_SET',
  restrictCreatePlatformApikey: 'NOT_SET',
  restrictUserListVisibility: 'NOT_RESTRICTED',
  allowedIpAddresses: '',
  mfa: 'NONE',
  userMfa: [],
  sessionExpirationInSeconds: 'NOT_SET',
  sessionInvalidationInSeconds: 'NOT_SET',
  maxSessionsPerIdentity: 'NOT_SET',
  systemAccessTokenExpirationInSeconds: 'NOT_SET',
  systemRefreshTokenExpirationInSeconds: 'NOT_SET',
  restrictUserDomains: [],
};

/** What `NOT_SET` numeric settings mean: the service defaults. */
const SERVICE_DEFAULTS = {
  sessionExpirationInSeconds: '86400',
  sessionInvalidationInSeconds: '7200',
  systemAccessTokenExpirationInSeconds: '3600',
  systemRefreshTokenExpirationInSeconds: '259200',
} as const;

/** Inclusive ranges of the numeric settings (`maxSessionsPerIdentity`: any whole number ≥ 1). */
const RANGES: Record<string, [number, number]> = {
  sessionExpirationInSeconds: [900, 86400],
  sessionInvalidationInSeconds: [900, 7200],
  systemAccessTokenExpirationInSeconds: [900, 3600],
  systemRefreshTokenExpirationInSeconds: [900, 259200],
  maxSessionsPerIdentity: [1, Number.MAX_SAFE_INTEGER],
};

export type SettingsUpdate = Partial<Omit<SettingsValues, 'userMfa' | 'restrictUserDomains'>> & {
  /** Replaces the MFA exemptions; each needs `iam_id` (a member) and `mfa`. */
  userMfa?: { iamId?: string; mfa?: MfaTrait }[];
  /** Upserts restrictions by realm; an entry with only `realm_id` removes that realm's entry. */
  restrictUserDomains?: UserDomainRestriction[];
};

export interface SettingsReadOptions {
  includeHistory?: boolean;
  /** Enrich MFA exemptions with the users' names and e-mail addresses. */
  resolveUserMfa?: boolean;
}

export interface SettingsView extends Detailed<AccountSettings> {
  /** The users named in `userMfa`, when resolved. */
  users?: UserSummary[];
}

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The entity id under which settings history is kept (distinct from every other entity id). */
export const settingsHistoryId = (accountId: string) => `account-settings/${accountId}`;

function checkNumber(field: string, value: string) {
  if (value === 'NOT_SET') return;
  const [min, max] = RANGES[field]!;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
    throw invalid(`${snake(field)} "${value}" must be ${range}, or NOT_SET.`);
  }
}

/** `allowed_ip_addresses`: comma-separated IPv4/IPv6 addresses or CIDR subnets; empty clears it. */
function checkIpList(value: string) {
  if (value.trim() === '') return;
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    const [address = '', prefix, extra] = entry.split('/');
    const version = isIP(address);
    const prefixOk =
      prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32));
    if (version === 0 || !prefixOk || extra !== undefined) {
      throw invalid(`allowed_ip_addresses: "${entry}" is not an IP address or CIDR subnet.`);
    }
  }
}

/** The current values with a checked update applied: named fields replaced, domains merged by realm. */
function merged(current: SettingsValues, update: SettingsUpdate & { userMfa?: UserMfaExemption[] }): SettingsValues {
  const { userMfa, restrictUserDomains, ...scalars } = update;
  const named = Object.fromEntries(Object.entries(scalars).filter(([, v]) => v !== undefined)) as Partial<SettingsValues>;
  return {
    ...current,
    ...named,
    ...(userMfa ? { userMfa } : {}),
    ...(restrictUserDomains ? { restrictUserDomains: mergeDomains(current.restrictUserDomains, restrictUserDomains) } : {}),
  };
}

function mergeDomains(current: UserDomainRestriction[], changes: UserDomainRestriction[]): UserDomainRestriction[] {
  const byRealm = new Map(current.map((r) => [r.realmId, r]));
  for (const change of changes) {
    const removal = change.invitationEmailAllowPatterns === undefined && change.restrictInvitation === undefined;
    if (removal) byRealm.delete(change.realmId);
    else byRealm.set(change.realmId, change);
  }
  return [...byRealm.values()];
}

/** The values in force: NOT_SET numeric settings resolved to the service defaults. */
function effective(values: SettingsValues): SettingsValues {
  const resolved = { ...values };
  for (const [field, fallback] of Object.entries(SERVICE_DEFAULTS)) {
    const key = field as keyof typeof SERVICE_DEFAULTS;
    if (resolved[key] === 'NOT_SET') resolved[key] = fallback;
  }
  return resolved;
}

/** The checks of an update that need no database (ranges, IP lists, realms); 400 naming the field. */
export function checkSettingsUpdate(update: SettingsUpdate): void {
  for (const field of Object.keys(RANGES)) {
    const value = update[field as keyof SettingsUpdate];
    if (typeof value === 'string') checkNumber(field, value);
  }
  if (update.allowedIpAddresses !== undefined) checkIpList(update.allowedIpAddresses);
  for (const domain of update.restrictUserDomains ?? []) {
    if (domain.realmId.trim() === '') throw invalid('restrict_user_domains: realm_id must not be empty.');
  }
}

export function createSettingsService(ctx: IdentityContext) {
  const { store, authorizer, clock, accounts } = ctx;

  /** The settings as stored, or the defaults (under DEFAULT_SETTINGS_TAG) when never saved. */
  async function settingsOf(accountId: string, trx?: Trx): Promise<AccountSettings> {
    const row = await store.getSettings(accountId, trx);
    if (!row) return { accountId, entityTag: DEFAULT_SETTINGS_TAG, values: DEFAULT_SETTINGS };
    return { accountId, entityTag: row.entityTag, values: { ...DEFAULT_SETTINGS, ...(JSON.parse(row.settings) as Partial<SettingsValues>) } };
  }

  async function view(accountId: string, options: SettingsReadOptions): Promise<SettingsView> {
    const settings = await settingsOf(accountId);
    const result: SettingsView = { entity: settings };
    if (options.includeHistory) result.history = await store.historyOf(settingsHistoryId(accountId));
    if (options.resolveUserMfa) {
      const users = await Promise.all(settings.values.userMfa.map((u) => accounts.getUser(u.iamId)));
      result.users = users.flatMap((u) =>
        u ? [{ iamId: u.iamId, name: `${u.firstName} ${u.lastName}`.trim(), userName: u.userId, email: u.email }] : [],
      );
    }
    return result;
  }

  /**
   * Checks an update (400 naming the field) and returns it with `userMfa` normalised. Runs before
   * the write: it reads memberships outside the transaction.
   */
  async function checked(accountId: string, update: SettingsUpdate): Promise<SettingsUpdate & { userMfa?: UserMfaExemption[] }> {
    checkSettingsUpdate(update);
    if (!update.userMfa) return { ...update, userMfa: undefined };
    const userMfa: UserMfaExemption[] = [];
    for (const entry of update.userMfa) {
      if (!entry.iamId || !entry.mfa) throw invalid('user_mfa: every entry needs iam_id and mfa.');
      if ((await accounts.membershipState(accountId, entry.iamId)) === undefined) {
        throw invalid(`user_mfa: ${entry.iamId} is not a member of account ${accountId}.`);
      }
      userMfa.push({ iamId: entry.iamId, mfa: entry.mfa });
    }
    return { ...update, userMfa };
  }

  return {
    /** The values in force in an account, without authorization: for other domains (token lifetimes, IP allow-lists). */
    async effectiveSettingsOf(accountId: string): Promise<SettingsValues> {
      return effective((await settingsOf(accountId)).values);
    },

    /** The values an account stored (defaults where it never saved any), without authorization: for account-settings templates' drift. */
    async storedValuesOf(accountId: string): Promise<SettingsValues> {
      return (await settingsOf(accountId)).values;
    },

    /**
     * For account-settings templates: `update` checked for `accountId` (user_mfa members read the
     * database, so call this before the write). Authorization is the caller's.
     */
    check: checked,

    /**
     * For account-settings templates: applies a checked update to `accountId` inside the caller's
     * write (the assignment runner's), whatever the current tag, and returns the values now stored.
     * Authorization is the caller's, before the write.
     */
    async writeIn(w: Write, accountId: string, change: SettingsUpdate & { userMfa?: UserMfaExemption[] }): Promise<SettingsValues> {
      const current = await settingsOf(accountId, w.trx);
      const values = merged(current.values, change);
      const exists = current.entityTag !== DEFAULT_SETTINGS_TAG;
      const saved = await store.saveSettings(w.trx, accountId, exists, undefined, {
        settings: JSON.stringify(values),
        entityTag: nextTag(current.entityTag),
        modifiedAt: clock.now().toISOString(),
      });
      if (!saved) throw staleTag();
      w.changed({ entity: 'account-settings', entityId: accountId, accountId, op: 'update' });
      return values;
    },

    async get(actor: Actor, accountId: string, options: SettingsReadOptions): Promise<SettingsView> {
      await authorizer.authorize(actor.principal, 'iam-identity.account.get', targetOf(accountId), actor.environment);
      return view(accountId, options);
    },

    /** The account's settings and the values in force (`/effective_settings/identity`). */
    async getEffective(actor: Actor, accountId: string, options: SettingsReadOptions): Promise<SettingsView & { effective: SettingsValues; assigned: AssignedTemplate[] }> {
      await authorizer.authorize(actor.principal, 'iam-identity.account.get', targetOf(accountId), actor.environment);
      const account = await view(accountId, options);
      const assigned = (await ctx.assignedSettingsTemplates?.(accountId)) ?? [];
      return { ...account, effective: effective(account.entity.values), assigned };
    },

    async update(actor: Actor, accountId: string, ifMatch: string, update: SettingsUpdate): Promise<AccountSettings> {
      const subject = { action: 'iam-identity.account.update', targetType: 'account-settings', targetId: accountId, accountId };
      return audited(ctx, actor, subject, async (commit) => {
        await authorizer.authorize(actor.principal, 'iam-identity.account.update', targetOf(accountId), actor.environment);
        const change = await checked(accountId, update);
        const fields = presentFields(update);
        return commit(
          async (w) => {
            const current = await settingsOf(accountId, w.trx);
            const expected = expectedTag(ifMatch, current.entityTag);
            const values = merged(current.values, change);
            const settings: AccountSettings = { accountId, entityTag: nextTag(current.entityTag), values };
            const exists = current.entityTag !== DEFAULT_SETTINGS_TAG;
            const saved = await store.saveSettings(w.trx, accountId, exists, expected, {
              settings: JSON.stringify(values),
              entityTag: settings.entityTag,
              modifiedAt: clock.now().toISOString(),
            });
            if (!saved) throw staleTag();
            await store.appendHistory(
              w.trx,
              settingsHistoryId(accountId),
              historyEntry(ctx, actor, 'update', fields, `Identity settings of account ${accountId} updated: ${fields.join(', ') || 'no fields'}.`),
            );
            w.changed({ entity: 'account-settings', entityId: accountId, accountId, op: 'update' });
            return settings;
          },
          { fields },
        );
      });
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
