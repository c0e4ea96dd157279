import { DomainError, invalid, notFound } from '../kernel/errors.js';
import { ids } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import { identityTimestamp } from '../kernel/time.js';
import { audited, targetOf, type IdentityContext } from './context.js';
import type { ExtrasStore, ReportRow } from './extras-store.js';

/**
 * Activity reports: which identities of an account have not authenticated within a duration
 * (`type=inactive`). Creating one stores a `running` job row and answers its reference at once
 * (202); this node then computes the report in the background (once the authentications up to
 * then are recorded, REPORT_SETTINGS.settleMs) and stores the result in the row,
 * so any node answers `getReport` (204 while running). Computed from the authentication records the
 * token service keeps (each API key's `last_authn`, written within about a second of a grant): a
 * user or service ID was last active when one of its API keys in the account last authenticated.
 * Creating a report drops the account's reports older than a day. `iam-identity.report.create`
 * and `iam-identity.report.get` on the account authorize.
 */

export const REPORT_SETTINGS = {
  /** The duration when none is given (30 days), in hours. */
  defaultDurationHours: 720,
  /** The longest duration accepted (5 years), in hours. */
  maxDurationHours: 43_800,
  /** Reports older than this are dropped when a new one is created. */
  retentionMs: 24 * 3_600_000,
  /**
   * How long after its creation a report is computed: longer than the token service's activity
   * flush (1 s, token/service.ts), so authentications up to the creation are in the records read.
   */
  settleMs: 1500,
  /** A job still running after this long was lost with its node: it answers as failed. */
  abandonedAfterMs: 10 * 60_000,
} as const;

/** IBM's Report. */
export interface InactivityReport {
  created_by: string;
  reference: string;
  report_duration: string;
  report_start_time: string;
  report_end_time: string;
  users: Array<{ iam_id: string; name?: string; username: string; email?: string; last_authn?: string }>;
  apikeys: Array<{
    id: string;
    name?: string;
    type: string;
    serviceid?: { id: string; name: string };
    user?: { iam_id: string; name?: string; username?: string; email?: string };
    last_authn?: string;
  }>;
  serviceids: Array<{ id: string; name?: string; last_authn?: string }>;
  profiles: Array<{ id: string; name?: string; last_authn?: string }>;
}

/** What getReport answers: still running, or the report. */
export type ReportState = { running: true } | { running: false; report: InactivityReport };

/** `720`, `720h`: whole hours, 1 to the maximum. */
export function parseDuration(duration: string | undefined): number {
  if (duration === undefined || duration === '') return REPORT_SETTINGS.defaultDurationHours;
  const match = /^(\d{1,6})h?$/.exec(duration);
  const hours = match ? Number(match[1]) : NaN;
  if (!(hours >= 1 && hours <= REPORT_SETTINGS.maxDurationHours)) {
    throw invalid(`duration "${duration}" is not valid: give whole hours from 1 to ${REPORT_SETTINGS.maxDurationHours}, e.g. "720h".`);
  }
  return hours;
}

const reportNotFound = (reference: string) => notFound('Report', reference);
const maybe = (value: string | null | undefined) => (value ? value : undefined);
const lastAuthnOf = (at: string | undefined) => (at ? { last_authn: identityTimestamp(at) } : {});

export function createReportService(ctx: IdentityContext, extras: ExtrasStore) {
  const { authorizer, clock } = ctx;

  /** Computes the report of a job from the records as they are now. */
  async function compute(job: ReportRow): Promise<InactivityReport> {
    const end = clock.now();
    const start = new Date(end.getTime() - job.duration_hours * 3_600_000).toISOString();
    const [members, serviceIds, keys] = await Promise.all([
      extras.membersOf(job.account_id),
      extras.serviceIdsOf(job.account_id),
      extras.apiKeysOf(job.account_id),
    ]);
    const lastOf = new Map<string, string>();
    for (const key of keys) {
      const known = lastOf.get(key.iamId);
      if (key.lastAuthn && (!known || key.lastAuthn > known)) lastOf.set(key.iamId, key.lastAuthn);
    }
    const inactive = (at: string | null | undefined) => !at || at < start;
    const usersByIamId = new Map(members.map((m) => [m.iamId, m]));
    const serviceIdsByIamId = new Map(serviceIds.map((s) => [s.iamId, s]));
    const userFields = (m: (typeof members)[number]) => ({
      ...(maybe(`${m.firstName} ${m.lastName}`.trim()) ? { name: `${m.firstName} ${m.lastName}`.trim() } : {}),
      username: m.userId,
      ...(maybe(m.email) ? { email: m.email } : {}),
    });
    return {
      created_by: job.created_by,
      reference: job.reference,
      report_duration: String(job.duration_hours),
      report_start_time: identityTimestamp(start),
      report_end_time: identityTimestamp(end.toISOString()),
      users: members
        .filter((m) => inactive(lastOf.get(m.iamId)))
        .map((m) => ({ iam_id: m.iamId, ...userFields(m), ...lastAuthnOf(lastOf.get(m.iamId)) })),
      apikeys: keys
        .filter((k) => inactive(k.lastAuthn))
        .map((k) => {
          const serviceId = serviceIdsByIamId.get(k.iamId);
          const user = usersByIamId.get(k.iamId);
          return {
            id: k.id,
            name: k.name,
            type: k.ownerType,
            ...(k.ownerType === 'serviceid' && serviceId ? { serviceid: { id: serviceId.id, name: serviceId.name } } : {}),
            ...(k.ownerType === 'user' ? { user: user ? { iam_id: user.iamId, ...userFields(user) } : { iam_id: k.iamId } } : {}),
            ...lastAuthnOf(maybe(k.lastAuthn)),
          };
        }),
      serviceids: serviceIds
        .filter((s) => inactive(lastOf.get(s.iamId)))
        .map((s) => ({ id: s.id, name: s.name, ...lastAuthnOf(lastOf.get(s.iamId)) })),
      profiles: [],
    };
  }

  /** Computes a job and stores its outcome; never throws (a failure is stored as the outcome). */
  async function run(job: ReportRow): Promise<void> {
    try {
      const report = await compute(job);
      await extras.settleReport(job.reference, 'done', JSON.stringify(report), clock.now().toISOString());
    } catch {
      await extras.settleReport(job.reference, 'failed', null, clock.now().toISOString()).catch(() => undefined);
    }
  }

  return {
    /** Starts an inactivity report; resolves with its reference once the job is stored. */
    async create(actor: Actor, accountId: string, input: { type?: string; duration?: string }): Promise<{ reference: string }> {
      const reference = ids.uuid();
      const subject = { action: 'iam-identity.report.create', targetType: 'report', targetId: reference, accountId };
      const job = await audited(ctx, actor, subject, async (commit) => {
        await authorizer.authorize(actor.principal, 'iam-identity.report.create', targetOf(accountId), actor.environment);
        const type = input.type === undefined || input.type === '' ? 'inactive' : input.type;
        if (type !== 'inactive') throw invalid(`type "${type}" is not supported; the supported report type is "inactive".`);
        const now = clock.now();
        const row: ReportRow = {
          reference,
          account_id: accountId,
          type,
          duration_hours: parseDuration(input.duration),
          status: 'running',
          created_by: actor.principal.iamId,
          created_at: now.toISOString(),
          completed_at: null,
          result: null,
        };
        await commit(
          async (w) => {
            await extras.deleteReportsBefore(w.trx, accountId, new Date(now.getTime() - REPORT_SETTINGS.retentionMs).toISOString());
            await extras.insertReport(w.trx, row);
          },
          { type, duration_hours: row.duration_hours },
        );
        return row;
      });
      // Not kept alive for: a job lost with its process is answered as failed once abandoned.
      setTimeout(() => void run(job), REPORT_SETTINGS.settleMs).unref();
      return { reference };
    },

    /** The report with that reference (`latest`: the account's newest); 404 for none in the account. */
    async get(actor: Actor, accountId: string, reference: string): Promise<ReportState> {
      await authorizer.authorize(actor.principal, 'iam-identity.report.get', targetOf(accountId), actor.environment);
      const row = reference === 'latest' ? await extras.latestReport(accountId, 'inactive') : await extras.getReport(accountId, reference);
      // An MFA report (mfa-reports.ts) shares the table, not the API.
      if (!row || row.type !== 'inactive') throw reportNotFound(reference);
      const abandoned = row.status === 'running' && clock.now().getTime() - Date.parse(row.created_at) > REPORT_SETTINGS.abandonedAfterMs;
      if (row.status === 'failed' || abandoned) throw new DomainError('internal', 'report_failed', `Report ${row.reference} could not be computed; create a new one.`);
      if (row.status === 'running') return { running: true };
      return { running: false, report: JSON.parse(row.result ?? '{}') as InactivityReport };
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
