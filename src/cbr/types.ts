import type { EnforcementMode, ZoneAddress } from '../pdp/index.js';

/** Context-based restrictions: network zones and the rules that restrict resources to them. */

export type { EnforcementMode, ZoneAddress };

/** Who made and last changed an entity, and its entity tag. */
export interface Stamped {
  entityTag: string;
  createdAt: string;
  createdById: string;
  lastModifiedAt: string;
  lastModifiedById: string;
}

export interface Zone extends Stamped {
  /** 32 lower-case hex digits. */
  id: string;
  accountId: string;
  name: string;
  description: string;
  addresses: ZoneAddress[];
  /** ipAddress, ipRange and subnet entries only. */
  excluded: ZoneAddress[];
}

export interface Attribute {
  name: string;
  value: string;
  operator?: string;
}

export interface RuleResource {
  attributes: Attribute[];
  tags?: Attribute[];
}

export interface RuleContext {
  attributes: Array<{ name: string; value: string }>;
}

export interface Rule extends Stamped {
  id: string;
  /** The `accountId` attribute its resources share. */
  accountId: string;
  description: string;
  contexts: RuleContext[];
  resources: RuleResource[];
  /** API type ids; absent when the rule covers every operation. */
  operations?: { api_types: Array<{ api_type_id: string }> };
  enforcementMode: EnforcementMode;
}

/** How many rules, zones and tag rules an account has. */
export interface AccountUsage {
  accountId: string;
  rules: number;
  zones: number;
  tagRules: number;
}

/** Limits per account and per zone (IBM's published defaults). */
export const LIMITS = {
  rulesPerAccount: 4000,
  zonesPerAccount: 500,
  tagRulesPerAccount: 500,
  addressesPerZone: 1000,
} as const;
