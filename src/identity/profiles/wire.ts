import { identityTimestamp } from '../../kernel/time.js';
import type { IdentityList } from './identities.js';
import { extras } from '../wire.js';
import type { ClaimRule, Detailed, ProfileIdentity, ProfileLink, TrustedProfile } from '../types.js';

/**
 * IBM IAM Identity wire shapes of trusted profiles, claim rules, links and identities (the SDK's
 * iam-identity/v1 models): snake_case names, `yyyy-MM-ddTHH:mm+0000` timestamps, optional fields
 * omitted when empty.
 */

export function profileWire(d: Detailed<TrustedProfile>) {
  const p = d.entity;
  return {
    id: p.id,
    entity_tag: p.entityTag,
    crn: p.crn,
    name: p.name,
    ...(p.description !== null ? { description: p.description } : {}),
    ...(p.email !== null ? { email: p.email } : {}),
    created_at: identityTimestamp(p.createdAt),
    modified_at: identityTimestamp(p.modifiedAt),
    iam_id: p.iamId,
    account_id: p.accountId,
    ...extras(d),
  };
}

export const claimRuleWire = (r: ClaimRule) => ({
  id: r.id,
  entity_tag: r.entityTag,
  created_at: identityTimestamp(r.createdAt),
  modified_at: identityTimestamp(r.modifiedAt),
  ...(r.name !== null ? { name: r.name } : {}),
  type: r.type,
  ...(r.realmName !== null ? { realm_name: r.realmName } : {}),
  expiration: r.expiration,
  ...(r.crType !== null ? { cr_type: r.crType } : {}),
  conditions: r.conditions.map((c) => ({ claim: c.claim, operator: c.operator, value: c.value })),
});

export const linkWire = (l: ProfileLink) => ({
  id: l.id,
  entity_tag: l.entityTag,
  created_at: identityTimestamp(l.createdAt),
  modified_at: identityTimestamp(l.modifiedAt),
  ...(l.name !== null ? { name: l.name } : {}),
  cr_type: l.crType,
  is_cross_account: l.isCrossAccount,
  link: {
    crn: l.target.crn,
    ...(l.target.namespace !== undefined ? { namespace: l.target.namespace } : {}),
    ...(l.target.name !== undefined ? { name: l.target.name } : {}),
    ...(l.target.componentType !== undefined ? { component_type: l.target.componentType } : {}),
    ...(l.target.componentName !== undefined ? { component_name: l.target.componentName } : {}),
  },
});

export const identityWire = (i: ProfileIdentity) => ({
  iam_id: i.iamId,
  identifier: i.identifier,
  type: i.type,
  ...(i.type === 'user' ? { accounts: i.accounts } : {}),
  ...(i.description !== null ? { description: i.description } : {}),
});

export const identitiesWire = (list: IdentityList) => ({ entity_tag: list.entityTag, identities: list.identities.map(identityWire) });
