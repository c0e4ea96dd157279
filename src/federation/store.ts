import type { Selectable } from 'kysely';
import { conflictOnDuplicate } from '../store/conflicts.js';
import type { Db } from '../store/db.js';
import type { FederationIdpsTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import { federationErrors } from './errors.js';
import type { ClaimMapping, IdentityProvider, Protocol } from './types.js';

/**
 * SQL of federated sign-in. Reads take the database (or the write's transaction); writes take the
 * transaction. Contracts, enforced by test/conformance/federation.test.ts on both databases:
 * - insertIdp throws a 409 conflict when the account already has an IdP with that issuer (a unique
 *   index decides, also between racing writers); updateIdp likewise, and changes the row only
 *   while its tag is `expectedTag` (any tag when undefined), saying whether it did;
 * - takeRequest deletes and returns a pending request of that IdP that has not expired; of two
 *   racing takers exactly one gets it;
 * - acceptAssertion inserts the assertion id and says false when the IdP's id was accepted before
 *   and has not expired (a replay); expired ids are purged first;
 * - takeTicket deletes and returns an unexpired ticket; of two racing takers exactly one gets it.
 */

type Executor = Db | Trx;
type Row = Selectable<FederationIdpsTable>;

export type IdpColumns = Omit<FederationIdpsTable, 'id' | 'account_id' | 'created_by' | 'created_at'>;

/** An IdP as stored: the record, and its sealed client secret (never leaves the service). */
export interface StoredIdp {
  idp: IdentityProvider;
  sealedSecret: string | null;
}

const toStored = (row: Row): StoredIdp => ({
  idp: {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    description: row.description,
    protocol: row.protocol as Protocol,
    issuer: row.issuer,
    ssoUrl: row.sso_url,
    certificates: JSON.parse(row.certificates) as string[],
    nameIdFormat: row.name_id_format,
    clientId: row.client_id,
    hasClientSecret: row.client_secret !== null,
    scopes: JSON.parse(row.scopes) as string[],
    claimMapping: JSON.parse(row.claim_mapping) as ClaimMapping,
    createdBy: row.created_by,
    createdAt: row.created_at,
    modifiedAt: row.modified_at,
    entityTag: row.entity_tag,
  },
  sealedSecret: row.client_secret,
});

/** The row columns of an IdP's settable fields (and its stamp). */
export function columnsOf(idp: IdentityProvider, sealedSecret: string | null): IdpColumns {
  return {
    name: idp.name,
    description: idp.description,
    protocol: idp.protocol,
    issuer: idp.issuer,
    sso_url: idp.ssoUrl,
    certificates: JSON.stringify(idp.certificates),
    name_id_format: idp.nameIdFormat,
    client_id: idp.clientId,
    client_secret: sealedSecret,
    scopes: JSON.stringify(idp.scopes),
    claim_mapping: JSON.stringify(idp.claimMapping),
    modified_at: idp.modifiedAt,
    entity_tag: idp.entityTag,
  };
}

/** A pending sign-in at an IdP. */
export interface PendingRequest {
  id: string;
  idpId: string;
  nonce: string | null;
  sealedVerifier: string | null;
  createdAt: string;
  expiresAt: string;
}

/** What an IdP asserted, held for the profile choice. */
export interface TicketRow {
  idpId: string;
  accountId: string;
  subject: string;
  memberIamId: string | null;
  claims: Record<string, unknown>;
  authn: string;
  createdAt: string;
  expiresAt: string;
}

/** A Profile-SAML claim rule of one of the account's profiles, with its profile. */
export interface ProfileRuleRow {
  profileId: string;
  iamId: string;
  name: string;
  description: string | null;
  expiration: number;
  conditions: Array<{ claim: string; operator: string; value: string }>;
}

export function createFederationStore(db: Db) {
  return {
    // ---- identity providers ---------------------------------------------------------------------

    async getIdp(id: string, ex: Executor = db): Promise<StoredIdp | undefined> {
      const row = await ex.selectFrom('federation_idps').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toStored(row);
    },

    async listIdps(accountId: string): Promise<IdentityProvider[]> {
      const rows = await db.selectFrom('federation_idps').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => toStored(r).idp);
    },

    async insertIdp(trx: Trx, idp: IdentityProvider, sealedSecret: string | null): Promise<void> {
      await conflictOnDuplicate(
        trx
          .insertInto('federation_idps')
          .values({ id: idp.id, account_id: idp.accountId, created_by: idp.createdBy, created_at: idp.createdAt, ...columnsOf(idp, sealedSecret) })
          .execute(),
        () => federationErrors.duplicate(idp.issuer),
      );
    },

    async updateIdp(trx: Trx, id: string, expectedTag: string | undefined, columns: IdpColumns): Promise<boolean> {
      let query = trx.updateTable('federation_idps').set(columns).where('id', '=', id);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      const result = await conflictOnDuplicate(query.executeTakeFirst(), () => federationErrors.duplicate(columns.issuer));
      return Number(result.numUpdatedRows) > 0;
    },

    /** Deletes the IdP with its pending requests and tickets (its accepted assertion ids expire on their own). */
    async deleteIdp(trx: Trx, id: string): Promise<boolean> {
      await trx.deleteFrom('federation_requests').where('idp_id', '=', id).execute();
      await trx.deleteFrom('federation_tickets').where('idp_id', '=', id).execute();
      const result = await trx.deleteFrom('federation_idps').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    // ---- pending requests -----------------------------------------------------------------------

    /** Stores a request sent to an IdP, purging every expired one. */
    async putRequest(trx: Trx, request: PendingRequest): Promise<void> {
      await trx.deleteFrom('federation_requests').where('expires_at', '<=', request.createdAt).execute();
      await trx
        .insertInto('federation_requests')
        .values({
          id: request.id,
          idp_id: request.idpId,
          nonce: request.nonce,
          code_verifier: request.sealedVerifier,
          created_at: request.createdAt,
          expires_at: request.expiresAt,
        })
        .execute();
    },

    /** The pending, unexpired request of that IdP with that id, without spending it. */
    async peekRequest(idpId: string, id: string, now: string, ex: Executor = db): Promise<PendingRequest | undefined> {
      const row = await ex
        .selectFrom('federation_requests')
        .selectAll()
        .where('id', '=', id)
        .where('idp_id', '=', idpId)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row && { id: row.id, idpId: row.idp_id, nonce: row.nonce, sealedVerifier: row.code_verifier, createdAt: row.created_at, expiresAt: row.expires_at };
    },

    /** Spends a pending request: true for the one caller whose delete removed it (unexpired, of that IdP). */
    async takeRequest(trx: Trx, idpId: string, id: string, now: string): Promise<boolean> {
      const result = await trx
        .deleteFrom('federation_requests')
        .where('id', '=', id)
        .where('idp_id', '=', idpId)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    // ---- replay ---------------------------------------------------------------------------------

    /** Records an accepted assertion id until `expiresAt`; false when the IdP's id is already recorded (a replay). */
    async acceptAssertion(trx: Trx, idpId: string, assertionId: string, now: string, expiresAt: string): Promise<boolean> {
      await trx.deleteFrom('federation_assertions').where('expires_at', '<=', now).execute();
      const result = await trx
        .insertInto('federation_assertions')
        .values({ idp_id: idpId, assertion_id: assertionId, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['idp_id', 'assertion_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    /** Whether the IdP's assertion id was accepted before and has not expired (a look-up; acceptAssertion decides). */
    async assertionSeen(idpId: string, assertionId: string, now: string): Promise<boolean> {
      const row = await db
        .selectFrom('federation_assertions')
        .select('assertion_id')
        .where('idp_id', '=', idpId)
        .where('assertion_id', '=', assertionId)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row !== undefined;
    },

    // ---- tickets --------------------------------------------------------------------------------

    /** Stores a ticket (its secret's hash), purging every expired one. */
    async putTicket(trx: Trx, hash: string, ticket: TicketRow): Promise<void> {
      await trx.deleteFrom('federation_tickets').where('expires_at', '<=', ticket.createdAt).execute();
      await trx
        .insertInto('federation_tickets')
        .values({
          ticket_hash: hash,
          idp_id: ticket.idpId,
          account_id: ticket.accountId,
          subject: ticket.subject,
          member_iam_id: ticket.memberIamId,
          claims: JSON.stringify(ticket.claims),
          authn: ticket.authn,
          created_at: ticket.createdAt,
          expires_at: ticket.expiresAt,
        })
        .execute();
    },

    async peekTicket(hash: string, now: string, ex: Executor = db): Promise<TicketRow | undefined> {
      const row = await ex.selectFrom('federation_tickets').selectAll().where('ticket_hash', '=', hash).where('expires_at', '>', now).executeTakeFirst();
      return (
        row && {
          idpId: row.idp_id,
          accountId: row.account_id,
          subject: row.subject,
          memberIamId: row.member_iam_id,
          claims: JSON.parse(row.claims) as Record<string, unknown>,
          authn: row.authn,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
        }
      );
    },

    /** Spends a ticket: true for the one caller whose delete removed it (unexpired). */
    async takeTicket(trx: Trx, hash: string, now: string): Promise<boolean> {
      const result = await trx.deleteFrom('federation_tickets').where('ticket_hash', '=', hash).where('expires_at', '>', now).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    // ---- who the person is in the account -------------------------------------------------------

    /** The ACTIVE member of the account whose e-mail or login is `email` (case-insensitive), if any. */
    async memberByEmail(accountId: string, email: string, ex: Executor = db): Promise<string | undefined> {
      const wanted = email.toLowerCase();
      const rows = await ex
        .selectFrom('users')
        .innerJoin('account_users', 'account_users.iam_id', 'users.iam_id')
        .select(['users.iam_id', 'users.email', 'users.user_id'])
        .where('account_users.account_id', '=', accountId)
        .where('account_users.state', '=', 'ACTIVE')
        .where((eb) => eb.or([eb(eb.fn('lower', ['users.email']), '=', wanted), eb(eb.fn('lower', ['users.user_id']), '=', wanted)]))
        .orderBy('users.iam_id')
        .execute();
      return rows[0]?.iam_id;
    },

    /** The Profile-SAML rules of the account's profiles for that realm, with their profiles. */
    async profileRulesOfRealm(accountId: string, realm: string, ex: Executor = db): Promise<ProfileRuleRow[]> {
      const rows = await ex
        .selectFrom('profile_claim_rules')
        .innerJoin('trusted_profiles', 'trusted_profiles.id', 'profile_claim_rules.profile_id')
        .select([
          'trusted_profiles.id as profile_id',
          'trusted_profiles.iam_id',
          'trusted_profiles.name',
          'trusted_profiles.description',
          'profile_claim_rules.expiration',
          'profile_claim_rules.conditions',
        ])
        .where('trusted_profiles.account_id', '=', accountId)
        .where('profile_claim_rules.type', '=', 'Profile-SAML')
        .where('profile_claim_rules.realm_name', '=', realm)
        .orderBy('trusted_profiles.name')
        .orderBy('trusted_profiles.id')
        .execute();
      return rows.map((r) => ({
        profileId: r.profile_id,
        iamId: r.iam_id,
        name: r.name,
        description: r.description,
        expiration: Number(r.expiration),
        conditions: JSON.parse(r.conditions) as ProfileRuleRow['conditions'],
      }));
    },
  };
}

export type FederationStore = ReturnType<typeof createFederationStore>;
