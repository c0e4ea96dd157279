import { Counter } from 'prom-client';
import { addressList } from '../http/allowed-ips.js';
import type { Metrics } from '../http/observability.js';
import { isIPv6 } from 'node:net';
import type { Clock } from '../kernel/clock.js';
import type { RequestEnvironment } from '../kernel/principal.js';
import type { CheckedService, Restrictions } from '../pdp/index.js';
import type { Writer } from '../store/unit-of-work.js';
import { contextRestricted } from './errors.js';

/**
 * Context-based restrictions on Portcullis's own APIs: each management API and the token endpoint
 * is a protected resource of its catalog service (iam-identity, iam-groups, iam-access-management,
 * user-management, context-based-restrictions, …). An enabled rule of the caller's account on that
 * service refuses a request from outside its contexts with IBM's error (403); a report-only rule
 * lets it through and records it. The check reads the decision point's restriction index, so it
 * applies the same rules the same way as `/v2/authz`, and is placed where the allowed-IP check is:
 * after authentication, before any route runs (http/auth.ts), and inside the token grant.
 */

/** The catalog service of each of Portcullis's own API paths (Fastify route patterns). */
const SERVICE_OF_PATH: Array<[RegExp, string]> = [
  [/^\/identity\//, 'iam-identity'],
  [/^\/v1\/(apikeys|serviceids|serviceid_groups|profiles|preferences|activity|trusted_profile|account_settings_)/, 'iam-identity'],
  [/^\/v1\/accounts\/[^/]+\/(settings\/identity|effective_settings|limits\/identity|preferences)/, 'iam-identity'],
  [/^\/v1\/accounts\/[^/]+\/settings\/access_management/, 'iam-access-management'],
  [/^\/(v2\/)?groups/, 'iam-groups'],
  [/^\/v[12]\/(policies|roles|policy_templates|policy_assignments|action_control|role_templates|role_assignments)/, 'iam-access-management'],
  [/^\/v[23]\/accounts\/[^/]+\/users/, 'user-management'],
  [/^\/v1\/(zones|rules|account_settings\/|operations)/, 'context-based-restrictions'],
  [/^\/v2\/(resource_instances|resource_keys|resource_bindings|resource_aliases|resource_groups|quota_definitions)|^\/v1\/reclamations/, 'resource-controller'],
  [/^\/v1\/(enterprises|accounts|account-groups)/, 'enterprise'],
];

/** The catalog service a route of Portcullis's own APIs belongs to, or undefined (the PDP, the catalog, health). */
export function serviceOfRoute(route: string): string | undefined {
  for (const [pattern, service] of SERVICE_OF_PATH) if (pattern.test(route)) return service;
  return undefined;
}

export interface ReportLog {
  /** Records that a report-only rule would have refused a request (audit event and metric). */
  record(ruleId: string, accountId: string, initiatorIamId: string, detail: Record<string, unknown>): void;
  /** Report-only refusals recorded so far, by rule id (the `portcullis_cbr_report_total` metric). */
  readonly counts: ReadonlyMap<string, number>;
}

/** At most one audit event per rule in this many ms: a busy PEP must not turn every decision into a write. */
const REPORT_AUDIT_INTERVAL_MS = 60_000;

export function createReportLog(deps: { writer: Writer; clock: Clock; log?: (message: string, error: unknown) => void }): ReportLog {
  const counts = new Map<string, number>();
  const lastAudit = new Map<string, number>();
  return {
    counts,
    record(ruleId, accountId, initiatorIamId, detail) {
      counts.set(ruleId, (counts.get(ruleId) ?? 0) + 1);
      const now = deps.clock.now().getTime();
      if ((lastAudit.get(ruleId) ?? -Infinity) > now - REPORT_AUDIT_INTERVAL_MS) return;
      if (lastAudit.size >= 10_000) lastAudit.clear();
      lastAudit.set(ruleId, now);
      deps.writer
        .write(async (w) =>
          w.audit({
            requestId: typeof detail.requestId === 'string' ? detail.requestId : 'pdp',
            initiatorIamId,
            initiatorAccountId: null,
            accountId,
            action: 'context-based-restrictions.rule.report',
            targetType: 'rule',
            targetId: ruleId,
            detail: { ...detail, wouldDeny: true, occurrences: counts.get(ruleId) },
          }),
        )
        .catch((error: unknown) => deps.log?.('context-based restrictions: report event not recorded', error));
    },
  };
}

export interface ContextEnforcement {
  /** Throws 403 `context_restricted` when an enabled rule of the account on `serviceName` refuses the environment. */
  admit(accountId: string, serviceName: string | undefined, environment: RequestEnvironment, iamId: string, requestId?: string): Promise<void>;
}

export function createContextEnforcement(deps: {
  /** The decision point's current restriction index, after this node's own writes are applied. */
  restrictions: () => Promise<Restrictions>;
  /** The catalog's grants of a service (its group; the restriction index keeps the service's plan under them). */
  grantsOn: (serviceName: string) => CheckedService | undefined;
  /** Addresses no rule restricts on Portcullis's own APIs (operator recovery). */
  exempt: readonly string[];
  reports: ReportLog;
}): ContextEnforcement {
  const exempt = addressList(deps.exempt);
  return {
    async admit(accountId, serviceName, environment, iamId, requestId) {
      if (serviceName === undefined) return;
      const restrictions = await deps.restrictions();
      if (restrictions.ruleCount === 0) return;
      const address = environment.clientAddress;
      const verdict = restrictions.check(
        {
          subject: { id: iamId },
          action: '',
          resource: { accountId, serviceName },
          environment: { ip: address, attributes: { ipAddress: address, networkType: environment.endpointType } },
        },
        serviceName,
        deps.grantsOn(serviceName),
        false,
      );
      const rule = verdict?.rule;
      if (rule === undefined) return;
      if (exempt.check(address, isIPv6(address) ? 'ipv6' : 'ipv4')) return;
      if (rule.mode === 'report') {
        deps.reports.record(rule.id, accountId, iamId, { serviceName, ipAddress: address, ...(requestId ? { requestId } : {}) });
        return;
      }
      throw contextRestricted(rule.id, serviceName, address);
    },
  };
}

/** Adds `portcullis_cbr_report_total{rule_id}` (report-only refusals) to an app's metrics. */
export function withReportMetric(metrics: Metrics, reports: ReportLog): Metrics {
  new Counter({
    name: 'portcullis_cbr_report_total',
    help: 'Requests a report-only context-based restriction rule would have refused, by rule',
    labelNames: ['rule_id'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [ruleId, n] of reports.counts) this.inc({ rule_id: ruleId }, n);
    },
  });
  return metrics;
}
