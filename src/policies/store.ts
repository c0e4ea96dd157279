import { createHash } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { AttributeCondition, PolicySubject, Rule } from '../pdp/types.js';
import type { Db } from '../store/db.js';
import type { PoliciesTable } from '../store/schema.js';
import type { Trx } from '../store/unit-of-work.js';
import { equalsValue } from './targets.js';
import type { ManagedBy, PolicyFilter, PolicyRecord, PolicySortField } from './types.js';

type Executor = Db | Trx;

/** A keyset window over (sort column, id). */
export interface PolicyWindow {
  sort: PolicySortField;
  descending: boolean;
  limit: number;
  /** Start strictly after this (sort value, id). */
  after?: [string, string];
}

export interface PolicySlice {
  items: PolicyRecord[];
  /** The (sort value, id) of each item, for continuation tokens. */
  keys: [string, string][];
  more: boolean;
}

const SORT_COLUMNS = {
  id: 'id',
  // Every href is the site URL plus the id, so href order is id order.
  href: 'id',
  type: 'type',
  created_at: 'created_at',
  created_by_id: 'created_by_id',
  last_modified_at: 'last_modified_at',
  last_modified_by_id: 'last_modified_by_id',
  state: 'state',
  last_permit_at: 'last_permit_at',
  last_permit_frequency: 'last_permit_frequency',
} as const satisfies Record<PolicySortField, keyof PoliciesTable>;

const canonical = (attrs: readonly AttributeCondition[]) =>
  attrs.map((a) => JSON.stringify([a.key, a.operator, a.value])).sort();

/**
 * Two policies are duplicates when type, subject, resource attributes (in any order), tags and
 * conditions agree; roles and description do not count (conventions.md §2).
 */
export function conflictKeyOf(p: Pick<PolicyRecord, 'type' | 'subject' | 'accountId' | 'resource' | 'tags' | 'pattern' | 'rule'>): string {
  const subject = p.subject.kind === 'service' ? { kind: 'service', attributes: canonical(p.subject.attributes) } : p.subject;
  const text = JSON.stringify([p.type, subject, canonical(p.resource), canonical(p.tags), p.pattern ?? null, p.rule ?? null]);
  return createHash('sha256').update(text).digest('hex');
}

function toRow(p: PolicyRecord) {
  return {
    id: p.id,
    account_id: p.accountId,
    type: p.type,
    state: p.state,
    description: p.description ?? null,
    subject: JSON.stringify(p.subject),
    resource: JSON.stringify(p.resource),
    tags: JSON.stringify(p.tags),
    roles: JSON.stringify(p.roles),
    rule: p.rule === undefined ? null : JSON.stringify(p.rule),
    pattern: p.pattern ?? null,
    subject_iam_id: p.subject.kind === 'iam_id' ? p.subject.iamId : null,
    subject_access_group_id: p.subject.kind === 'access_group' ? p.subject.groupId : null,
    service_name: equalsValue(p.resource, 'serviceName') ?? null,
    service_type: equalsValue(p.resource, 'serviceType') ?? null,
    service_group_id: equalsValue(p.resource, 'service_group_id') ?? null,
    conflict_key: conflictKeyOf(p),
    created_at: p.createdAt,
    created_by_id: p.createdById,
    last_modified_at: p.lastModifiedAt,
    last_modified_by_id: p.lastModifiedById,
    entity_tag: p.entityTag,
    template: p.template ? JSON.stringify(p.template) : null,
  };
}

function fromRow(row: Selectable<PoliciesTable>): PolicyRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    type: row.type as PolicyRecord['type'],
    state: row.state as PolicyRecord['state'],
    ...(row.description !== null ? { description: row.description } : {}),
    subject: JSON.parse(row.subject) as PolicySubject,
    resource: JSON.parse(row.resource) as AttributeCondition[],
    tags: JSON.parse(row.tags) as AttributeCondition[],
    roles: JSON.parse(row.roles) as string[],
    ...(row.rule !== null ? { rule: JSON.parse(row.rule) as Rule } : {}),
    ...(row.pattern !== null ? { pattern: row.pattern } : {}),
    createdAt: row.created_at,
    createdById: row.created_by_id,
    lastModifiedAt: row.last_modified_at,
    lastModifiedById: row.last_modified_by_id,
    entityTag: row.entity_tag,
    ...(row.last_permit_at !== '' ? { lastPermit: { at: row.last_permit_at, frequency: Number(row.last_permit_frequency) } } : {}),
    ...(row.template ? { template: JSON.parse(row.template) as ManagedBy } : {}),
  };
}

const tagRows = (p: PolicyRecord) => {
  const unique = new Map(p.tags.map((t) => [`${t.key}\u0000${String(t.value)}`, { policy_id: p.id, name: t.key, value: String(t.value) }]));
  return [...unique.values()];
};

/**
 * The policies table. Reads take the database (or a write's transaction, to read inside it);
 * writes take the write transaction. Rows always hold a policy that passed validation.
 */
export function createPolicyStore(db: Db) {
  return {
    /**
     * Stores a new policy. The unique index refuses a second active duplicate (see conflictKeyOf):
     * the database's unique violation is thrown as is (isUniqueViolation), and the service, which
     * knows how to render the conflicting policy, turns it into its 409.
     */
    async insert(trx: Trx, p: PolicyRecord): Promise<void> {
      await trx.insertInto('policies').values(toRow(p)).execute();
      const tags = tagRows(p);
      if (tags.length > 0) await trx.insertInto('policy_tags').values(tags).execute();
    },

    /**
     * Replaces the stored policy `p.id` when its entity tag still is `expectedTag`; returns false
     * (and changes nothing) when another write got there first.
     */
    async update(trx: Trx, p: PolicyRecord, expectedTag: string): Promise<boolean> {
      const { id: _id, created_at: _c, created_by_id: _b, ...changes } = toRow(p);
      const result = await trx
        .updateTable('policies')
        .set(changes)
        .where('id', '=', p.id)
        .where('entity_tag', '=', expectedTag)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await trx.deleteFrom('policy_tags').where('policy_id', '=', p.id).execute();
      const tags = tagRows(p);
      if (tags.length > 0) await trx.insertInto('policy_tags').values(tags).execute();
      return true;
    },

    /** The policy with this id in any state, or undefined. The PDP follows change-feed entries with it. */
    async get(id: string, executor: Executor = db): Promise<PolicyRecord | undefined> {
      const row = await executor.selectFrom('policies').selectAll().where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },

    /** The active policy of the account that `p` would duplicate, other than `p` itself. */
    async findActiveDuplicate(p: PolicyRecord, executor: Executor = db): Promise<PolicyRecord | undefined> {
      const row = await executor
        .selectFrom('policies')
        .selectAll()
        .where('account_id', '=', p.accountId)
        .where('conflict_key', '=', conflictKeyOf(p))
        .where('state', '=', 'active')
        .where('id', '!=', p.id)
        .executeTakeFirst();
      return row && fromRow(row);
    },

    /**
     * Adds permits to the policies' usage: each one's last permit time becomes the later of the
     * two, its count grows. Ids of policies that are gone are ignored.
     */
    async recordPermits(permits: ReadonlyArray<{ policyId: string; count: number; lastAtMs: number }>): Promise<void> {
      await db.transaction().execute(async (trx) => {
        for (const p of permits) {
          const at = new Date(p.lastAtMs).toISOString();
          await trx
            .updateTable('policies')
            .set((eb) => ({
              last_permit_at: sql<string>`CASE WHEN last_permit_at < ${at} THEN ${at} ELSE last_permit_at END`,
              last_permit_frequency: eb('last_permit_frequency', '+', p.count),
            }))
            .where('id', '=', p.policyId)
            .execute();
        }
      });
    },

    /** One window of the policies matching `filter`, ordered by (sort column, id). */
    async list(filter: PolicyFilter, window: PolicyWindow): Promise<PolicySlice> {
      const column = SORT_COLUMNS[window.sort];
      const direction = window.descending ? 'desc' : 'asc';
      let query = db
        .selectFrom('policies')
        .selectAll()
        .where('account_id', '=', filter.accountId)
        .where('state', '=', filter.state);
      if (filter.iamId !== undefined) query = query.where('subject_iam_id', '=', filter.iamId);
      if (filter.accessGroupId !== undefined) query = query.where('subject_access_group_id', '=', filter.accessGroupId);
      if (filter.type !== undefined) query = query.where('type', '=', filter.type);
      if (filter.serviceType !== undefined) query = query.where('service_type', '=', filter.serviceType);
      if (filter.serviceName !== undefined) query = query.where('service_name', '=', filter.serviceName);
      if (filter.serviceGroupId !== undefined) query = query.where('service_group_id', '=', filter.serviceGroupId);
      if (filter.tagName !== undefined || filter.tagValue !== undefined) {
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('policy_tags')
              .select('policy_tags.policy_id')
              .whereRef('policy_tags.policy_id', '=', 'policies.id')
              .$if(filter.tagName !== undefined, (q) => q.where('policy_tags.name', '=', filter.tagName!))
              .$if(filter.tagValue !== undefined, (q) => q.where('policy_tags.value', '=', filter.tagValue!)),
          ),
        );
      }
      if (window.after) {
        const [value, id] = window.after;
        const op = window.descending ? '<' : '>';
        query = query.where((eb) => eb.or([eb(column, op, value), eb.and([eb(column, '=', value), eb('id', op, id)])]));
      }
      const rows = await query.orderBy(column, direction).orderBy('id', direction).limit(window.limit + 1).execute();
      const page = rows.slice(0, window.limit);
      return {
        items: page.map(fromRow),
        keys: page.map((r) => [String(r[column]), r.id]),
        more: rows.length > window.limit,
      };
    },

    /** The active access policies of the account whose subject is `iamId`. */
    async listActiveOfSubject(accountId: string, iamId: string, executor: Executor = db): Promise<PolicyRecord[]> {
      const rows = await executor
        .selectFrom('policies')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('subject_iam_id', '=', iamId)
        .where('state', '=', 'active')
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },

    /** The active access policies of the account whose subject is the access group. */
    async listActiveOfGroup(accountId: string, groupId: string, executor: Executor = db): Promise<PolicyRecord[]> {
      const rows = await executor
        .selectFrom('policies')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('subject_access_group_id', '=', groupId)
        .where('state', '=', 'active')
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },

    /** The active policies of the account that grant the role. */
    async listActiveGranting(accountId: string, roleCrn: string, executor: Executor = db): Promise<PolicyRecord[]> {
      const rows = await executor
        .selectFrom('policies')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('state', '=', 'active')
        .where('roles', 'like', `%${JSON.stringify(roleCrn)}%`)
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },

    /** How many active policies of the account grant the role. */
    async countActiveGranting(executor: Executor, accountId: string, roleCrn: string): Promise<number> {
      // Role CRNs hold no LIKE wildcards (`%`, `_`); the quotes pin the match to one whole array element.
      const row = await executor
        .selectFrom('policies')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', accountId)
        .where('state', '=', 'active')
        .where('roles', 'like', `%${JSON.stringify(roleCrn)}%`)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * Every active policy of every account, in batches ordered by id: the PDP's start-up snapshot.
     * Batches are keyset pages, so memory stays bounded however many policies there are.
     */
    async *listActivePolicies(batchSize = 1000): AsyncGenerator<PolicyRecord[]> {
      let after = '';
      for (;;) {
        const rows = await db
          .selectFrom('policies')
          .selectAll()
          .where('state', '=', 'active')
          .where('id', '>', after)
          .orderBy('id')
          .limit(batchSize)
          .execute();
        if (rows.length === 0) return;
        yield rows.map(fromRow);
        after = rows[rows.length - 1]!.id;
        if (rows.length < batchSize) return;
      }
    },
  };
}

export type PolicyStore = ReturnType<typeof createPolicyStore>;
