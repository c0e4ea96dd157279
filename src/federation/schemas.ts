import { Type, type TSchema } from '@sinclair/typebox';
import { limits } from '../kernel/limits.js';
import { PROTOCOLS } from './types.js';

/** Request and response schemas of the identity-provider API and the federated sign-in endpoints (Portcullis extensions). */

const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const S = Type.String();
const Id = Type.String({ minLength: 1, maxLength: limits.id });
const Url = Type.String({ minLength: 1, maxLength: limits.id });

export const IdpParams = Type.Object({ id: Id });
export const IdpListQuery = Type.Object({ account_id: Id });
export const SignInParams = Type.Object({ idp_id: Id });

const Mapping = Type.Object(
  {
    email: opt(Type.String({ minLength: 1, maxLength: 256, description: 'The claim (SAML attribute) holding the e-mail address that finds the member; default `email`.' })),
    name: opt(Type.String({ minLength: 1, maxLength: 256, description: 'The claim holding the display name; default `name`.' })),
    mfa: opt(Type.String({ minLength: 1, maxLength: 256, description: 'The claim listing the authentication methods (OIDC `amr`); default `amr`.' })),
  },
  { additionalProperties: false },
);

const idpFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: opt(Type.String({ maxLength: limits.text })),
  protocol: Type.Union(PROTOCOLS.map((p) => Type.Literal(p))),
  metadata_xml: opt(Type.String({ minLength: 1, maxLength: 200_000, description: "SAML: the IdP's metadata (EntityDescriptor); fills entity id, SSO URL, certificates and NameID format." })),
  issuer: opt(Type.String({ minLength: 1, maxLength: limits.id, description: "SAML: the IdP's entity id; OIDC: its issuer URL (discovery)." })),
  sso_url: opt(Type.String({ minLength: 1, maxLength: limits.id, description: 'SAML: the SingleSignOnService URL (HTTP-Redirect binding).' })),
  certificates: opt(Type.Array(Type.String({ minLength: 1, maxLength: 20_000 }), { maxItems: 5, description: 'SAML: signing certificates, PEM or base64 DER.' })),
  name_id_format: opt(Type.String({ minLength: 1, maxLength: 256 })),
  client_id: opt(Type.String({ minLength: 1, maxLength: limits.id })),
  client_secret: opt(Type.String({ minLength: 1, maxLength: 1024, description: 'OIDC: stored sealed, never shown; omit on replace to keep it.' })),
  scopes: opt(Type.Array(Type.String({ minLength: 1, maxLength: 128, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }), { maxItems: 20 })),
  claim_mapping: opt(Mapping),
};

export const CreateIdpBody = Type.Object({ account_id: Id, ...idpFields }, { additionalProperties: false });
export const UpdateIdpBody = Type.Object(idpFields, { additionalProperties: false });

export const IdentityProviderResponse = Type.Object(
  {
    id: S,
    entity_tag: S,
    crn: S,
    account_id: S,
    name: S,
    description: opt(S),
    protocol: S,
    issuer: S,
    realm_name: Type.String({ description: 'The realm of claim and dynamic rules that apply to sign-ins through this IdP.' }),
    sso_url: opt(S),
    certificates: Type.Array(S),
    name_id_format: opt(S),
    client_id: opt(S),
    client_secret_set: Type.Boolean(),
    scopes: Type.Array(S),
    claim_mapping: Type.Object({ email: S, name: S, mfa: S }),
    service_provider: Type.Object({
      entity_id: S,
      metadata_url: S,
      acs_url: S,
      redirect_uri: S,
      login_url: S,
    }),
    created_at: S,
    modified_at: S,
    created_by: S,
  },
  { title: 'IdentityProvider' },
);

export const IdentityProviderList = Type.Object({ identity_providers: Type.Array(IdentityProviderResponse) }, { title: 'IdentityProviderList' });

// ── federated sign-in (no bearer token: the browser's own steps) ─────────────────────────────────

export const AcsForm = Type.Object({ SAMLResponse: Type.String({ minLength: 1, maxLength: 500_000 }), RelayState: opt(Type.String({ maxLength: 1024 })) });

export const CallbackQuery = Type.Object(
  {
    code: opt(Type.String({ maxLength: 4096 })),
    state: opt(Type.String({ maxLength: 512 })),
    iss: opt(Type.String({ maxLength: limits.id })),
    error: opt(Type.String({ maxLength: 256 })),
    error_description: opt(Type.String({ maxLength: 1024 })),
    session_state: opt(Type.String({ maxLength: 1024 })),
  },
  { additionalProperties: false },
);

export const ProvidersQuery = Type.Object({ account_id: Id });

export const SignInProviders = Type.Object(
  {
    providers: Type.Array(
      Type.Object({
        id: S,
        name: S,
        protocol: S,
        login_url: Type.String({ description: 'Where the browser starts the sign-in through this provider.' }),
      }),
    ),
  },
  { title: 'SignInProviders', description: "An account's identity providers as its sign-in page shows them: nothing secret; an unknown account has none." },
);

export const TicketQuery = Type.Object({ ticket: Type.String({ minLength: 1, maxLength: 128 }) });
export const ChooseBody = Type.Object(
  {
    ticket: Type.String({ minLength: 1, maxLength: 128 }),
    profile_id: opt(Type.String({ minLength: 1, maxLength: limits.id, description: 'The trusted profile to sign in as; omit to sign in as the account member.' })),
  },
  { additionalProperties: false },
);

export const FederationChoices = Type.Object(
  {
    account_id: S,
    idp_id: S,
    subject: S,
    name: opt(S),
    member: Type.Boolean({ description: 'Whether the person may sign in as the account member (omit profile_id).' }),
    profiles: Type.Array(Type.Object({ id: S, iam_id: S, name: S, description: opt(S), session_expiration_in_seconds: Type.Integer() })),
    expires_at: S,
  },
  { title: 'FederationChoices' },
);

export const SpMetadata = Type.String({ description: 'SAML 2.0 SP metadata (EntityDescriptor), application/samlmetadata+xml.' });
