import { Type } from '@sinclair/typebox';
import type { TrustedProfile } from '../identity/types.js';
import { identityTimestamp } from '../kernel/time.js';

/** A trusted profile as `POST /identity/profiles` lists it (the SDK's TrustedProfile model, without history or activity). */
export const TrustedProfileSchema = Type.Object(
  {
    id: Type.String(),
    entity_tag: Type.String(),
    crn: Type.String(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    created_at: Type.String(),
    modified_at: Type.String(),
    iam_id: Type.String(),
    account_id: Type.String(),
  },
  { title: 'TrustedProfile' },
);

export const profileWire = (p: TrustedProfile) => ({
  id: p.id,
  entity_tag: p.entityTag,
  crn: p.crn,
  name: p.name,
  ...(p.description !== null ? { description: p.description } : {}),
  created_at: identityTimestamp(p.createdAt),
  modified_at: identityTimestamp(p.modifiedAt),
  iam_id: p.iamId,
  account_id: p.accountId,
});
