import { randomUUID } from 'node:crypto';
import { invalid } from '../../kernel/errors.js';
import { expectedTag, nextTag, staleTag } from '../../kernel/etag.js';
import type { Actor } from '../../kernel/principal.js';
import type { TemplatesContext } from './context.js';
import { templateErrors as errors } from './errors.js';
import type { Slice, TemplateVersion } from './types.js';

export interface VersionInput<B> {
  name?: string;
  description?: string;
  body: B;
}

export interface PageRequest {
  limit: number;
  offset: number;
}

const NAME_MAX = 300;
const DESCRIPTION_MAX = 1000;

function checkName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > NAME_MAX) throw invalid(`name must be 1 to ${NAME_MAX} characters.`);
  return trimmed;
}

function checkDescription(description: string | undefined): string | undefined {
  if (description !== undefined && description.length > DESCRIPTION_MAX) throw invalid(`description must be at most ${DESCRIPTION_MAX} characters.`);
  return description;
}

/** A version number of a path: a positive integer (`1`, `"2"`); 400 otherwise. */
export function versionNumber(text: string | number): number {
  const n = typeof text === 'number' ? text : /^[1-9]\d{0,8}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1) throw invalid(`The version "${text}" is not a version number.`);
  return n;
}

/**
 * Template versions of one kind: create (version 1), new versions (latest + 1), reads, update of
 * an uncommitted version (If-Match), commit (immutable afterwards), delete of a version or of the
 * whole template (refused while assigned). Templates of other accounts answer like missing ones.
 */
export function versionOperations<B>(ctx: TemplatesContext<B>) {
  const { deps, kind, now, audited, templateAction, target, authorize } = ctx;
  const { store } = deps;
  const label = kind.label;

  /** The latest version of a template of the actor's account (404 otherwise), after authorizing `op` on it. */
  async function visibleLatest(actor: Actor, id: string, op: string): Promise<TemplateVersion<B>> {
    const latest = (await store.getLatest(kind.name, id)) as TemplateVersion<B> | undefined;
    if (!latest || latest.accountId !== actor.principal.accountId) throw errors.templateNotFound(label, id);
    await authorize(actor, templateAction(op), target(latest.accountId, kind.templateResource, id));
    return latest;
  }

  async function visibleVersion(actor: Actor, id: string, version: number, op: string): Promise<TemplateVersion<B>> {
    await visibleLatest(actor, id, op);
    const found = (await store.getVersion(kind.name, id, version)) as TemplateVersion<B> | undefined;
    if (!found) throw errors.versionNotFound(label, id, version);
    return found;
  }

  const subjectOf = (op: string, id: string, accountId: string | null) => ({
    action: templateAction(op),
    targetType: kind.templateResource,
    targetId: id,
    accountId,
  });

  async function insertNew(actor: Actor, id: string, accountId: string, version: number, input: Required<Pick<VersionInput<B>, 'name'>> & VersionInput<B>) {
    const at = now();
    const row: TemplateVersion<B> = {
      kind: kind.name,
      id,
      version,
      accountId,
      name: input.name,
      description: input.description ?? '',
      committed: false,
      body: input.body,
      createdAt: at,
      createdById: actor.principal.iamId,
      lastModifiedAt: at,
      lastModifiedById: actor.principal.iamId,
      entityTag: nextTag(),
    };
    return row;
  }

  return {
    async create(actor: Actor, accountId: string, input: VersionInput<B>): Promise<TemplateVersion<B>> {
      const id = `${kind.templateIdPrefix}${randomUUID()}`;
      return audited(actor, subjectOf('create', id, accountId), async (commit) => {
        const name = checkName(input.name);
        if (name === undefined) throw invalid('name is required.');
        const description = checkDescription(input.description);
        const body = kind.check(input.body);
        await authorize(actor, templateAction('create'), target(accountId, kind.templateResource));
        await kind.authorizeGrant(actor, accountId, body);
        const row = await insertNew(actor, id, accountId, 1, { name, body, ...(description !== undefined ? { description } : {}) });
        return commit(async (w) => {
          await store.insertVersion(w.trx, row);
          w.changed({ entity: `${kind.name}_template`, entityId: `${id}/1`, accountId, op: 'create' });
          return row;
        });
      });
    },

    /** A new version after the latest; name and description default to the latest's. */
    async createVersion(actor: Actor, id: string, input: VersionInput<B>): Promise<TemplateVersion<B>> {
      const subject = subjectOf('update', id, null);
      return audited(actor, subject, async (commit) => {
        const name = checkName(input.name);
        const description = checkDescription(input.description);
        const body = kind.check(input.body);
        const latest = await visibleLatest(actor, id, 'update');
        subject.accountId = latest.accountId;
        await kind.authorizeGrant(actor, latest.accountId, body);
        return commit(async (w) => {
          const current = (await store.getLatest(kind.name, id, w.trx)) ?? latest;
          const row = await insertNew(actor, id, latest.accountId, current.version + 1, {
            name: name ?? current.name,
            description: description ?? current.description,
            body,
          });
          await store.insertVersion(w.trx, row);
          w.changed({ entity: `${kind.name}_template`, entityId: `${id}/${row.version}`, accountId: latest.accountId, op: 'create' });
          return row;
        }, (row) => ({ version: row.version }));
      });
    },

    /** The latest version of each template of an account. */
    async list(actor: Actor, accountId: string, page: PageRequest): Promise<Slice<TemplateVersion<B>>> {
      await authorize(actor, templateAction('read'), target(accountId, kind.templateResource));
      return (await store.listLatest(kind.name, accountId, page)) as Slice<TemplateVersion<B>>;
    },

    async listVersions(actor: Actor, id: string, page: PageRequest): Promise<Slice<TemplateVersion<B>>> {
      await visibleLatest(actor, id, 'read');
      return (await store.listVersions(kind.name, id, page)) as Slice<TemplateVersion<B>>;
    },

    getLatest: (actor: Actor, id: string) => visibleLatest(actor, id, 'read'),

    getVersion: (actor: Actor, id: string, version: number) => visibleVersion(actor, id, version, 'read'),

    /** Replaces an uncommitted version's fields (those given); If-Match names its tag. */
    async updateVersion(actor: Actor, id: string, version: number, ifMatch: string, input: VersionInput<B>): Promise<TemplateVersion<B>> {
      const subject = subjectOf('update', id, null);
      return audited(actor, subject, async (commit) => {
        const name = checkName(input.name);
        const description = checkDescription(input.description);
        const body = kind.check(input.body);
        const found = await visibleVersion(actor, id, version, 'update');
        subject.accountId = found.accountId;
        if (found.committed) throw errors.committed(label, id, version);
        await kind.authorizeGrant(actor, found.accountId, body);
        return commit(async (w) => {
          const current = await store.getVersion(kind.name, id, version, w.trx);
          if (!current) throw errors.versionNotFound(label, id, version);
          if (current.committed) throw errors.committed(label, id, version);
          const expected = expectedTag(ifMatch, current.entityTag);
          const changed = await store.updateVersion(w.trx, kind.name, id, version, expected, {
            ...(name !== undefined ? { name } : {}),
            ...(description !== undefined ? { description } : {}),
            body: JSON.stringify(body),
            last_modified_at: now(),
            last_modified_by_id: actor.principal.iamId,
            entity_tag: nextTag(current.entityTag),
          });
          if (!changed) throw staleTag();
          w.changed({ entity: `${kind.name}_template`, entityId: `${id}/${version}`, accountId: current.accountId, op: 'update' });
          return (await store.getVersion(kind.name, id, version, w.trx)) as TemplateVersion<B>;
        }, { version });
      });
    },

    /** Commits a version: it becomes immutable and assignable. Committing a committed version changes nothing. */
    async commit(actor: Actor, id: string, version: number, ifMatch: string | undefined): Promise<void> {
      const subject = subjectOf('update', id, null);
      await audited(actor, subject, async (commit) => {
        const found = await visibleVersion(actor, id, version, 'update');
        subject.accountId = found.accountId;
        await commit(async (w) => {
          const current = await store.getVersion(kind.name, id, version, w.trx);
          if (!current) throw errors.versionNotFound(label, id, version);
          const expected = expectedTag(ifMatch, current.entityTag);
          if (current.committed) return;
          const changed = await store.updateVersion(w.trx, kind.name, id, version, expected, {
            committed: 1,
            last_modified_at: now(),
            last_modified_by_id: actor.principal.iamId,
            entity_tag: nextTag(current.entityTag),
          });
          if (!changed) throw staleTag();
          w.changed({ entity: `${kind.name}_template`, entityId: `${id}/${version}`, accountId: current.accountId, op: 'update' });
        }, { version, committed: true });
      });
    },

    /** Deletes one version; refused while an assignment uses it. */
    async deleteVersion(actor: Actor, id: string, version: number): Promise<void> {
      const subject = subjectOf('delete', id, null);
      await audited(actor, subject, async (commit) => {
        const found = await visibleVersion(actor, id, version, 'delete');
        subject.accountId = found.accountId;
        await commit(async (w) => {
          if (await store.isAssigned(w.trx, kind.name, id, version)) throw errors.assigned(label, id, version);
          if (!(await store.deleteVersion(w.trx, kind.name, id, version))) throw errors.versionNotFound(label, id, version);
          w.changed({ entity: `${kind.name}_template`, entityId: `${id}/${version}`, accountId: found.accountId, op: 'delete' });
        }, { version });
      });
    },

    /** Deletes every version of a template; refused while it has assignments. */
    async deleteTemplate(actor: Actor, id: string): Promise<void> {
      const subject = subjectOf('delete', id, null);
      await audited(actor, subject, async (commit) => {
        const latest = await visibleLatest(actor, id, 'delete');
        subject.accountId = latest.accountId;
        await commit(async (w) => {
          if (await store.isAssigned(w.trx, kind.name, id)) throw errors.assigned(label, id);
          if ((await store.deleteTemplate(w.trx, kind.name, id)) === 0) throw errors.templateNotFound(label, id);
          w.changed({ entity: `${kind.name}_template`, entityId: id, accountId: latest.accountId, op: 'delete' });
        });
      });
    },
  };
}
