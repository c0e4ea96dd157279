import { invalid, notFound } from '../kernel/errors.js';
import { ids } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import { identityTimestamp } from '../kernel/time.js';
import { audited, targetOf, type IdentityContext } from './context.js';
import type { ExtrasStore, ReportRow } from './extras-store.js';
import type { MfaTrait, SettingsValues } from './types.js';

/**
 * MFA enrolment status of a user (`getMfaStatus`) and of every user of an account (MFA reports),
 * from the sign-in domain's records: a user is enrolled once they confirmed a TOTP authenticator
 * or registered a passkey; LEVEL3 is met by a passkey only. IBM's ID-based MFA is what this server enforces at sign-in (trait = the account's
 * `mfa`, or the user's `user_mfa` entry); account-based MFA (security questions, Verisign) does not
 * exist here, so it is never required and never enrolled.
 *
 * A report is computed when it is created (the data is small and local) and stored with the
 * activity reports (type `mfa_status`), so any node answers `getMfaReport`; a report reference
 * of the other kind is not found here, and `latest` is the newest MFA report. Authorized by
 * `iam-identity.mfa-status.get` (status) and `iam-identity.report.create` / `.get` (reports).
 */

/** What the identity domain needs to know of a user's second factors (signin/store.ts `enrolments`). */
export type MfaEnrolments = (iamIds: readonly string[]) => Promise<Map<string, { totp: boolean; passkeys: number; lastUsedAt: string | null; recoveryCodesLeft: number }>>;

export const MFA_REPORT_TYPE = 'mfa_status';

interface IdBasedMfa {
  trait_account_default: MfaTrait;
  trait_user_specific?: MfaTrait;
  trait_effective: MfaTrait;
  complies: boolean;
}

const NOT_OFFERED = { required: false, enrolled: false };

/** IBM's UserMfaEnrollments body (without iam_id). */
function enrolmentOf(settings: SettingsValues, iamId: string, enrolled: { passkeys: number } | undefined) {
  const userSpecific = settings.userMfa.find((entry) => entry.iamId === iamId)?.mfa;
  const effective = userSpecific ?? settings.mfa;
  // LEVEL3 needs a security key (a passkey here); NONE and NONE_NO_ROPC need nothing.
  const complies =
    effective === 'NONE' || effective === 'NONE_NO_ROPC' ? true : effective === 'LEVEL3' ? (enrolled?.passkeys ?? 0) > 0 : enrolled !== undefined;
  const idBased: IdBasedMfa = {
    trait_account_default: settings.mfa,
    ...(userSpecific ? { trait_user_specific: userSpecific } : {}),
    trait_effective: effective,
    complies,
  };
  return {
    effective_mfa_type: effective,
    id_based_mfa: idBased,
    account_based_mfa: { security_questions: NOT_OFFERED, totp: NOT_OFFERED, verisign: NOT_OFFERED, complies: true },
  };
}

export function createMfaReportService(ctx: IdentityContext, extras: ExtrasStore, deps: { enrolments: MfaEnrolments; effectiveSettingsOf: (accountId: string) => Promise<SettingsValues> }) {
  const { authorizer, clock } = ctx;

  return {
    /** A member's MFA enrolment and whether it meets the account's requirement; 404 for a non-member. */
    async status(actor: Actor, accountId: string, iamId: string) {
      await authorizer.authorize(actor.principal, 'iam-identity.mfa-status.get', targetOf(accountId), actor.environment);
      const member = (await extras.membersOf(accountId)).find((m) => m.iamId === iamId);
      if (!member) throw notFound('User', iamId);
      const [settings, enrolled] = await Promise.all([deps.effectiveSettingsOf(accountId), deps.enrolments([iamId])]);
      return { iam_id: iamId, ...enrolmentOf(settings, iamId, enrolled.get(iamId)) };
    },

    /** Computes and stores the account's MFA report; its reference. */
    async create(actor: Actor, accountId: string, type: string | undefined): Promise<{ reference: string }> {
      const reference = ids.uuid();
      const subject = { action: 'iam-identity.report.create', targetType: 'report', targetId: reference, accountId };
      await audited(ctx, actor, subject, async (commit) => {
        await authorizer.authorize(actor.principal, 'iam-identity.report.create', targetOf(accountId), actor.environment);
        if (type !== undefined && type !== '' && type !== MFA_REPORT_TYPE) {
          throw invalid(`type "${type}" is not supported; the supported MFA report type is "${MFA_REPORT_TYPE}".`);
        }
        const now = clock.now();
        const members = await extras.membersOf(accountId);
        const [settings, enrolled] = await Promise.all([deps.effectiveSettingsOf(accountId), deps.enrolments(members.map((m) => m.iamId))]);
        const report = {
          created_by: actor.principal.iamId,
          reference,
          report_time: identityTimestamp(now.toISOString()),
          account_id: accountId,
          users: members.map((m) => {
            const name = `${m.firstName} ${m.lastName}`.trim();
            return {
              iam_id: m.iamId,
              ...(name ? { name } : {}),
              username: m.userId,
              ...(m.email ? { email: m.email } : {}),
              ...enrolmentOf(settings, m.iamId, enrolled.get(m.iamId)),
            };
          }),
        };
        const row: ReportRow = {
          reference,
          account_id: accountId,
          type: MFA_REPORT_TYPE,
          duration_hours: 0,
          status: 'done',
          created_by: actor.principal.iamId,
          created_at: now.toISOString(),
          completed_at: now.toISOString(),
          result: JSON.stringify(report),
        };
        await commit((w) => extras.insertReport(w.trx, row), { type: MFA_REPORT_TYPE, users: report.users.length });
      });
      return { reference };
    },

    /** The MFA report with that reference (`latest`: the account's newest); 404 for none in the account. */
    async get(actor: Actor, accountId: string, reference: string) {
      await authorizer.authorize(actor.principal, 'iam-identity.report.get', targetOf(accountId), actor.environment);
      const row = reference === 'latest' ? await extras.latestReport(accountId, MFA_REPORT_TYPE) : await extras.getReport(accountId, reference);
      if (!row || row.type !== MFA_REPORT_TYPE || row.result === null) throw notFound('Report', reference);
      return JSON.parse(row.result) as unknown;
    },
  };
}
