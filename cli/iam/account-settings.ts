import type { Command } from 'commander';
import { leaf } from '../client/command.js';
import { usageError } from '../client/errors.js';

/** The account's identity settings a flag may change: flag name (camelCase of the kebab flag) = SDK parameter. */
const SETTINGS: [flag: string, field: string, help: string][] = [
  ['restrictCreateServiceId', 'restrict_create_service_id', 'RESTRICTED, NOT_RESTRICTED or NOT_SET'],
  ['restrictCreatePlatformApikey', 'restrict_create_platform_apikey', 'RESTRICTED, NOT_RESTRICTED or NOT_SET'],
  ['allowedIpAddresses', 'allowed_ip_addresses', 'comma-separated addresses and ranges ("" for any)'],
  ['mfa', 'mfa', 'NONE, NONE_NO_ROPC, TOTP, TOTP4ALL, LEVEL1, LEVEL2 or LEVEL3'],
  ['sessionExpirationInSeconds', 'session_expiration_in_seconds', 'seconds, or NOT_SET'],
  ['sessionInvalidationInSeconds', 'session_invalidation_in_seconds', 'seconds, or NOT_SET'],
  ['maxSessionsPerIdentity', 'max_sessions_per_identity', 'number, or NOT_SET'],
  ['systemAccessTokenExpirationInSeconds', 'system_access_token_expiration_in_seconds', 'seconds, or NOT_SET'],
  ['systemRefreshTokenExpirationInSeconds', 'system_refresh_token_expiration_in_seconds', 'seconds, or NOT_SET'],
  ['restrictUserListVisibility', 'restrict_user_list_visibility', 'RESTRICTED or NOT_RESTRICTED'],
];
const kebab = (camel: string) => camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The setting fields this CLI shows and changes, as the API names them. */
export const SETTING_FIELDS = SETTINGS.map(([, field]) => field);

/** `iam account-settings`, `account-settings-update`. */
export function registerAccountSettings(iam: Command): void {
  leaf(iam, { name: 'account-settings', description: "show the account's identity settings", example: 'portcullis iam account-settings --output json' }, async (ctx) => {
    ctx.out.progress(`Getting identity settings of account ${ctx.api.accountId}...`);
    const { result } = await ctx.api.identity.getAccountSettings({ accountId: ctx.api.accountId });
    ctx.out.ok();
    const record = result as unknown as Record<string, unknown>;
    ctx.out.result(result, () => ctx.out.fields(SETTINGS.map(([, field]) => [field, record[field] as string | undefined])));
  });

  leaf(
    iam,
    {
      name: 'account-settings-update',
      description: "change the account's identity settings",
      example: 'portcullis iam account-settings-update --restrict-create-service-id RESTRICTED --mfa TOTP',
      flags: (c) => SETTINGS.reduce((command, [flag, , help]) => command.option(`--${kebab(flag)} <value>`, help), c),
    },
    async (ctx, _args, flags) => {
      const changes = Object.fromEntries(SETTINGS.filter(([flag]) => typeof flags[flag] === 'string').map(([flag]) => [flag, flags[flag] as string]));
      if (Object.keys(changes).length === 0) throw usageError(`Name a setting to change: ${SETTINGS.map(([flag]) => `--${kebab(flag)}`).join(', ')}.`);
      const current = await ctx.api.identity.getAccountSettings({ accountId: ctx.api.accountId });
      ctx.out.progress(`Updating identity settings of account ${ctx.api.accountId}...`);
      const { result } = await ctx.api.identity.updateAccountSettings({ accountId: ctx.api.accountId, ifMatch: current.result.entity_tag ?? '*', ...changes });
      ctx.out.ok();
      const record = result as unknown as Record<string, unknown>;
      ctx.out.result(result, () => ctx.out.fields(SETTINGS.map(([, field]) => [field, record[field] as string | undefined])));
    },
  );
}
