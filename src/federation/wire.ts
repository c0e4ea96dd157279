import { identityTimestamp } from '../kernel/time.js';
import { endpointsOf, idpCrn } from './context.js';
import type { Choices, IdentityProvider } from './types.js';

/** An identity provider on the wire: snake_case, IAM Identity timestamps, our endpoints for it; never its client secret. */
export const idpWire = (site: { url: string }, i: IdentityProvider) => {
  const ours = endpointsOf(site, i.id);
  return {
    id: i.id,
    entity_tag: i.entityTag,
    crn: idpCrn(i.accountId, i.id),
    account_id: i.accountId,
    name: i.name,
    ...(i.description !== null ? { description: i.description } : {}),
    protocol: i.protocol,
    issuer: i.issuer,
    realm_name: i.issuer,
    ...(i.ssoUrl !== null ? { sso_url: i.ssoUrl } : {}),
    certificates: i.certificates,
    ...(i.nameIdFormat !== null ? { name_id_format: i.nameIdFormat } : {}),
    ...(i.clientId !== null ? { client_id: i.clientId } : {}),
    client_secret_set: i.hasClientSecret,
    scopes: i.scopes,
    claim_mapping: i.claimMapping,
    service_provider: { entity_id: ours.entityId, metadata_url: ours.metadata, acs_url: ours.acs, redirect_uri: ours.callback, login_url: ours.login },
    created_at: identityTimestamp(i.createdAt),
    modified_at: identityTimestamp(i.modifiedAt),
    created_by: i.createdBy,
  };
};

/** An identity provider as a sign-in page offers it: name, protocol and where to start, nothing else. */
export const providerWire = (site: { url: string }, i: IdentityProvider) => ({ id: i.id, name: i.name, protocol: i.protocol, login_url: endpointsOf(site, i.id).login });

export const choicesWire = (c: Choices) => ({
  account_id: c.accountId,
  idp_id: c.idpId,
  subject: c.subject,
  ...(c.name !== null ? { name: c.name } : {}),
  member: c.memberIamId !== null,
  profiles: c.profiles.map((p) => ({
    id: p.profileId,
    iam_id: p.iamId,
    name: p.name,
    ...(p.description !== null ? { description: p.description } : {}),
    session_expiration_in_seconds: p.sessionSeconds,
  })),
  expires_at: c.expiresAt,
});
