import type { Selectable } from 'kysely';
import type { JSONWebKeySet } from 'jose';
import { conflictOnDuplicate } from '../store/conflicts.js';
import type { Db } from '../store/db.js';
import type { TrustedIssuersTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import { issuerErrors } from './errors.js';
import type { IssuerType, TrustedIssuer } from './types.js';

/**
 * SQL of trusted issuers. Reads take the database (or the write's transaction); writes take the
 * transaction. Contracts, enforced by test/conformance/trusted-issuers.test.ts on both databases:
 * - insertIssuer throws a 409 conflict when the account already has an issuer with that URL
 *   (a unique index decides, also between racing writers);
 * - updateIssuer changes the row only while its tag is `expectedTag` (any tag when undefined) and
 *   says whether it did; a new URL taken by another issuer of the account is a 409 conflict;
 * - issuersByUrl returns the issuers of every account that trust that URL, oldest first.
 */

type Executor = Db | Trx;
type Row = Selectable<TrustedIssuersTable>;

export type IssuerColumns = Omit<TrustedIssuersTable, 'id' | 'account_id' | 'created_by' | 'created_at'>;

const toIssuer = (row: Row): TrustedIssuer => ({
  id: row.id,
  accountId: row.account_id,
  name: row.name,
  description: row.description,
  type: row.type as IssuerType,
  issuer: row.issuer,
  audiences: JSON.parse(row.audiences) as string[],
  jwksUrl: row.jwks_url,
  jwks: row.jwks === null ? null : (JSON.parse(row.jwks) as JSONWebKeySet),
  algorithms: JSON.parse(row.algorithms) as string[],
  maxClockSkewSeconds: Number(row.max_clock_skew_seconds),
  resourceCrn: row.resource_crn,
  createdBy: row.created_by,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
  entityTag: row.entity_tag,
});

/** The row columns of an issuer's settable fields (and its stamp). */
export function columnsOf(issuer: Omit<TrustedIssuer, 'id' | 'accountId' | 'createdBy' | 'createdAt'>): IssuerColumns {
  return {
    name: issuer.name,
    description: issuer.description,
    type: issuer.type,
    issuer: issuer.issuer,
    audiences: JSON.stringify(issuer.audiences),
    jwks_url: issuer.jwksUrl,
    jwks: issuer.jwks === null ? null : JSON.stringify(issuer.jwks),
    algorithms: JSON.stringify(issuer.algorithms),
    max_clock_skew_seconds: issuer.maxClockSkewSeconds,
    resource_crn: issuer.resourceCrn,
    modified_at: issuer.modifiedAt,
    entity_tag: issuer.entityTag,
  };
}

export function createIssuerStore(db: Db) {
  return {
    async getIssuer(id: string, trx?: Trx): Promise<TrustedIssuer | undefined> {
      const row = await (trx ?? db).selectFrom('trusted_issuers').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toIssuer(row);
    },

    async listIssuers(accountId: string): Promise<TrustedIssuer[]> {
      const rows = await db.selectFrom('trusted_issuers').selectAll().where('account_id', '=', accountId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toIssuer);
    },

    /** Every account's issuer with that URL (the `iss` of a token), oldest first. */
    async issuersByUrl(issuer: string, executor: Executor = db): Promise<TrustedIssuer[]> {
      const rows = await executor.selectFrom('trusted_issuers').selectAll().where('issuer', '=', issuer).orderBy('created_at').orderBy('id').execute();
      return rows.map(toIssuer);
    },

    async insertIssuer(trx: Trx, issuer: TrustedIssuer): Promise<void> {
      await conflictOnDuplicate(
        trx
          .insertInto('trusted_issuers')
          .values({ id: issuer.id, account_id: issuer.accountId, created_by: issuer.createdBy, created_at: issuer.createdAt, ...columnsOf(issuer) })
          .execute(),
        () => issuerErrors.duplicate(issuer.issuer),
      );
    },

    async updateIssuer(trx: Trx, id: string, expectedTag: string | undefined, columns: IssuerColumns): Promise<boolean> {
      let query = trx.updateTable('trusted_issuers').set(columns).where('id', '=', id);
      if (expectedTag !== undefined) query = query.where('entity_tag', '=', expectedTag);
      const result = await conflictOnDuplicate(query.executeTakeFirst(), () => issuerErrors.duplicate(columns.issuer));
      return Number(result.numUpdatedRows) > 0;
    },

    async deleteIssuer(trx: Trx, id: string): Promise<boolean> {
      const result = await trx.deleteFrom('trusted_issuers').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type IssuerStore = ReturnType<typeof createIssuerStore>;
