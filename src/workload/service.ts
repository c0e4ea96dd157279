import { Counter, type Registry } from 'prom-client';
import type { Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import type { Db } from '../store/db.js';
import type { Writer } from '../store/unit-of-work.js';
import type { WorkloadConfig } from '../config.js';
import { TokenRefusal, type RefusalReason } from './errors.js';
import { createIssuerOperations } from './issuers.js';
import { createJwksCache } from './jwks.js';
import { createIssuerStore } from './store.js';
import type { TrustedIssuer, WorkloadIdentity } from './types.js';
import { unverifiedIssuer, verifyWorkloadToken } from './verify.js';

export interface WorkloadDeps {
  db: Db;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  config: WorkloadConfig;
  /** The Prometheus registry the refusal counter joins (http/observability.ts). */
  metrics: Registry;
}

/**
 * How long the issuers trusted for a URL are remembered (per process), in ms: the bound within
 * which another node's change of an issuer reaches this node's grants (this node's own changes
 * apply at once), as the authenticator's principal cache bounds identity changes.
 */
const ISSUER_CACHE_MS = 1000;
const ISSUER_CACHE_LIMIT = 10_000;

/** Why a grant refused a workload token after verification (counted with the verification refusals). */
export type GrantRefusalReason = RefusalReason | 'profile_not_found' | 'not_matched';

/**
 * Workload identity: the trusted-issuer API and the verification of compute-resource tokens for
 * the token grants. Every refusal is counted in `portcullis_workload_token_refusals_total{reason}`.
 */
export function createWorkloadService(deps: WorkloadDeps) {
  const store = createIssuerStore(deps.db);
  const keys = createJwksCache({ timeoutMs: deps.config.jwksTimeoutMs, cooldownMs: deps.config.jwksCooldownMs, maxAgeMs: deps.config.jwksMaxAgeMs });
  const refusals = new Counter({
    name: 'portcullis_workload_token_refusals_total',
    help: 'Compute-resource (workload) tokens refused by the cr-token grant, by reason',
    labelNames: ['reason'],
    registers: [deps.metrics],
  });
  const trusted = new Map<string, { until: number; issuers: TrustedIssuer[] }>();
  /** The issuers of every account trusted for `iss`, remembered for ISSUER_CACHE_MS. */
  async function issuersByUrl(iss: string): Promise<TrustedIssuer[]> {
    const now = Date.now();
    const known = trusted.get(iss);
    if (known && known.until > now) return known.issuers;
    const issuers = await store.issuersByUrl(iss);
    if (trusted.size >= ISSUER_CACHE_LIMIT) trusted.clear();
    trusted.set(iss, { until: now + ISSUER_CACHE_MS, issuers });
    return issuers;
  }
  const operations = createIssuerOperations({ store, writer: deps.writer, clock: deps.clock, authorizer: deps.authorizer, jwksHttpAllowed: deps.config.jwksHttpAllowed });
  /** A change made on this node applies to its grants at once. */
  const forgetting =
    <A extends unknown[], R>(op: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await op(...args);
      } finally {
        trusted.clear();
      }
    };

  const counted = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TokenRefusal) refusals.inc({ reason: error.reason });
      throw error;
    }
  };

  return {
    issuers: { ...operations, create: forgetting(operations.create), update: forgetting(operations.update), delete: forgetting(operations.delete) },

    /** The `iss` of a token, read without verification (a malformed token is a counted refusal). */
    issuerOf: (token: string) => counted(async () => unverifiedIssuer(token).iss),

    /** Every account's trusted issuer with that URL (remembered for up to ISSUER_CACHE_MS). */
    issuersByUrl,

    /**
     * Verifies a workload token (workload/verify.ts) against the issuers of its `iss` trusted in
     * `accountId` (any account when undefined: then exactly one may trust it).
     */
    verify: (token: string, accountId?: string): Promise<WorkloadIdentity> =>
      counted(() =>
        verifyWorkloadToken({
          token,
          candidates: async (iss) => (await issuersByUrl(iss)).filter((i) => accountId === undefined || i.accountId === accountId),
          keysOf: keys.keysOf,
          now: deps.clock.now(),
        }),
      ),

    /** Counts a refusal the grant decided (e.g. no link or rule matched). */
    refused: (reason: GrantRefusalReason) => refusals.inc({ reason }),
  };
}

export type WorkloadService = ReturnType<typeof createWorkloadService>;
