import { Type, type TSchema } from '@sinclair/typebox';
import { limits } from '../../kernel/limits.js';
import { identityTemplateRoutes, type IdentityTemplateRoutesDeps, type IdentityTemplateSpec } from '../identity/routes.js';
import { SETTINGS_KEY, type AccountSettingsBody } from './kind.js';

/**
 * Account-settings templates and their assignments (IAM Identity `/v1/account_settings_templates`,
 * `/v1/account_settings_assignments`): the identity template routes with IBM's
 * `TemplateAccountSettings` as content.
 */

const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const strict = { additionalProperties: false } as const;
const Choice = (values: string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Restriction = Choice(['RESTRICTED', 'NOT_RESTRICTED', 'NOT_SET']);
const Mfa = Choice(['NONE', 'NONE_NO_ROPC', 'TOTP', 'TOTP4ALL', 'LEVEL1', 'LEVEL2', 'LEVEL3']);
const Number_ = Type.String({ maxLength: 32 });

const settingsSchema = (closed: boolean) => {
  const o = closed ? strict : {};
  return Type.Object(
    {
      restrict_create_service_id: opt(Restriction),
      restrict_create_platform_apikey: opt(Restriction),
      allowed_ip_addresses: opt(Type.String({ maxLength: limits.text })),
      mfa: opt(Mfa),
      user_mfa: opt(Type.Array(Type.Object({ iam_id: Type.String({ minLength: 1, maxLength: limits.id }), mfa: Mfa }, o), { maxItems: 100 })),
      session_expiration_in_seconds: opt(Number_),
      session_invalidation_in_seconds: opt(Number_),
      max_sessions_per_identity: opt(Number_),
      system_access_token_expiration_in_seconds: opt(Number_),
      system_refresh_token_expiration_in_seconds: opt(Number_),
      restrict_user_list_visibility: opt(Restriction),
      restrict_user_domains: opt(
        Type.Object(
          {
            account_sufficient: opt(Type.Boolean()),
            restrictions: opt(
              Type.Array(
                Type.Object(
                  {
                    realm_id: Type.String({ minLength: 1, maxLength: limits.id }),
                    invitation_email_allow_patterns: opt(Type.Array(Type.String({ maxLength: limits.text }), { maxItems: 50 })),
                    restrict_invitation: opt(Type.Boolean()),
                  },
                  o,
                ),
                { maxItems: 50 },
              ),
            ),
          },
          o,
        ),
      ),
    },
    o,
  );
};

export const accountSettingsSpec: IdentityTemplateSpec<AccountSettingsBody> = {
  templates: 'account_settings_templates',
  assignments: 'account_settings_assignments',
  crnType: 'account-settings-template',
  idWord: 'AccountSettings',
  assignmentWord: 'AccountSettings',
  noun: 'account settings',
  title: 'AccountSettingsTemplate',
  tag: 'IAM Identity account settings templates',
  listKey: 'account_settings_templates',
  resourceKey: SETTINGS_KEY,
  input: { account_settings: opt(settingsSchema(true)) },
  contentSchema: { account_settings: settingsSchema(false) },
  content: (body) => ({ account_settings: body }),
};

/** The kind's body is the `account_settings` object itself. */
export const accountSettingsTemplateRoutes = (deps: IdentityTemplateRoutesDeps<AccountSettingsBody>) =>
  identityTemplateRoutes({ ...accountSettingsSpec }, deps);
