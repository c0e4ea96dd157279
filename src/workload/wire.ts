import { identityTimestamp } from '../kernel/time.js';
import { issuerCrn } from './context.js';
import type { TrustedIssuer } from './types.js';

/** A trusted issuer on the wire: snake_case, IAM Identity timestamps, optional fields omitted when empty. */
export const issuerWire = (i: TrustedIssuer) => ({
  id: i.id,
  entity_tag: i.entityTag,
  crn: issuerCrn(i.accountId, i.id),
  account_id: i.accountId,
  name: i.name,
  ...(i.description !== null ? { description: i.description } : {}),
  type: i.type,
  issuer: i.issuer,
  audiences: i.audiences,
  ...(i.jwksUrl !== null ? { jwks_url: i.jwksUrl } : {}),
  ...(i.jwks !== null ? { jwks: i.jwks } : {}),
  algorithms: i.algorithms,
  max_clock_skew_seconds: i.maxClockSkewSeconds,
  ...(i.resourceCrn !== null ? { resource_crn: i.resourceCrn } : {}),
  created_at: identityTimestamp(i.createdAt),
  modified_at: identityTimestamp(i.modifiedAt),
  created_by: i.createdBy,
});
