import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import { ids } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import type { AuditSubject } from '../store/audited.js';
import { authorize, templateTarget, type TemplatesContext } from './context.js';
import { templateErrors } from './errors.js';
import type { Slice } from './store.js';
import type { TemplateKind, TemplateVersion, VersionInput } from './types.js';

/**
 * Versioned templates of one kind. A create makes version 1; a new version takes the next number;
 * an uncommitted version may be updated (If-Match) and committed; a committed one is immutable
 * (the kind's own refusal). Templates and versions that assignments use cannot be deleted.
 * Templates live in the caller's account: another account's template answers like a missing one.
 * Every call is decided by the PDP on `<kind.actions.template>.create|read|update|delete`.
 */
export interface CreateTemplateInput extends VersionInput {
  accountId: string;
  name: string;
}

export interface VersionOps<B> {
  create(actor: Actor, input: CreateTemplateInput): Promise<TemplateVersion<B>>;
  /** A new version; name and description default to the latest version's. */
  createVersion(actor: Actor, templateId: string, input: Partial<VersionInput> & { body: unknown }): Promise<TemplateVersion<B>>;
  /** Replaces an uncommitted version (name and description default to its current ones). */
  update(actor: Actor, templateId: string, version: number, ifMatch: string | undefined, input: Partial<VersionInput> & { body: unknown }): Promise<TemplateVersion<B>>;
  commit(actor: Actor, templateId: string, version: number, ifMatch?: string): Promise<void>;
  deleteVersion(actor: Actor, templateId: string, version: number): Promise<void>;
  deleteTemplate(actor: Actor, templateId: string): Promise<void>;
  /** The version given, or the latest. */
  get(actor: Actor, templateId: string, version?: number): Promise<TemplateVersion<B>>;
  /** The latest version of each of the account's templates of this kind, by template id. */
  list(actor: Actor, accountId: string, window: { limit: number; after?: string }, filter?: { name?: string }): Promise<Slice<TemplateVersion<B>>>;
  listVersions(actor: Actor, templateId: string, window: { limit: number; after?: number }): Promise<Slice<TemplateVersion<B>>>;
}

export function createVersionOps<B>(ctx: TemplatesContext, kind: TemplateKind<B>): VersionOps<B> {
  const { store, clock } = ctx;
  const action = (verb: string) => `${kind.actions.template}.${verb}`;
  const subject = (verb: string, id: string, accountId: string | null, detail?: Record<string, unknown>): AuditSubject => ({
    action: action(verb),
    targetType: kind.actions.resourceType,
    targetId: id,
    accountId,
    ...(detail ? { detail } : {}),
  });

  /** The template, when it is of this kind and in the actor's account; the kind's 404 otherwise. */
  async function visible(actor: Actor, id: string, version?: number) {
    const template = await store.getTemplate(id);
    if (!template || template.kind !== kind.name || template.accountId !== actor.principal.accountId) throw kind.notFoundError(id, version);
    return template;
  }

  async function versionOf(id: string, version: number | undefined): Promise<TemplateVersion<B>> {
    const found = version === undefined ? await store.latestVersion<B>(id) : await store.getVersion<B>(id, version);
    if (!found) throw kind.notFoundError(id, version);
    return found;
  }

  const textOf = (value: string | undefined, name: string) => {
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    if (trimmed === '') throw kind.invalidError(`${name} must not be empty.`);
    return trimmed;
  };

  return {
    async create(actor, input) {
      const id = ids.uuid();
      const audit = subject('create', id, input.accountId, { name: input.name });
      return ctx.audited(actor, audit, async (commit) => {
        await authorize(ctx, actor, action('create'), templateTarget(kind, input.accountId, id));
        const name = textOf(input.name, 'name')!;
        const body = await kind.validate(input.body, input.accountId);
        const at = clock.now().toISOString();
        const by = actor.principal.iamId;
        const version: TemplateVersion<B> = {
          id,
          version: 1,
          kind: kind.name,
          accountId: input.accountId,
          name,
          ...(input.description !== undefined ? { description: input.description } : {}),
          body,
          committed: input.committed === true,
          state: 'active',
          createdAt: at,
          createdById: by,
          lastModifiedAt: at,
          lastModifiedById: by,
          entityTag: nextTag(),
        };
        return commit(async (w) => {
          await store.insertTemplate(w.trx, { id, kind: kind.name, accountId: input.accountId, name, createdAt: at, createdById: by }, () => kind.nameTakenError(name));
          version.version = (await store.allocateVersion(w.trx, id))!;
          await store.insertVersion(w.trx, version);
          w.changed({ entity: 'template', entityId: id, accountId: input.accountId, op: 'create' });
          return version;
        });
      });
    },

    async createVersion(actor, templateId, input) {
      const audit = subject('update', templateId, null);
      return ctx.audited(actor, audit, async (commit) => {
        const template = await visible(actor, templateId);
        audit.accountId = template.accountId;
        await authorize(ctx, actor, action('update'), templateTarget(kind, template.accountId, templateId));
        const latest = await versionOf(templateId, undefined);
        const name = textOf(input.name, 'name') ?? latest.name;
        const body = await kind.validate(input.body, template.accountId, latest.body);
        const at = clock.now().toISOString();
        const by = actor.principal.iamId;
        const description = input.description ?? latest.description;
        return commit(async (w) => {
          const number = await store.allocateVersion(w.trx, templateId);
          if (number === undefined) throw kind.notFoundError(templateId);
          if (name !== template.name) await store.renameTemplate(w.trx, templateId, name, () => kind.nameTakenError(name));
          const version: TemplateVersion<B> = {
            id: templateId,
            version: number,
            kind: kind.name,
            accountId: template.accountId,
            name,
            ...(description !== undefined ? { description } : {}),
            body,
            committed: input.committed === true,
            state: 'active',
            createdAt: at,
            createdById: by,
            lastModifiedAt: at,
            lastModifiedById: by,
            entityTag: nextTag(),
          };
          await store.insertVersion(w.trx, version);
          w.changed({ entity: 'template', entityId: templateId, accountId: template.accountId, op: 'update' });
          audit.detail = { version: number };
          return version;
        });
      });
    },

    async update(actor, templateId, number, ifMatch, input) {
      const audit = subject('update', templateId, null, { version: number });
      return ctx.audited(actor, audit, async (commit) => {
        const template = await visible(actor, templateId, number);
        audit.accountId = template.accountId;
        await authorize(ctx, actor, action('update'), templateTarget(kind, template.accountId, templateId));
        const current = await versionOf(templateId, number);
        if (current.committed) throw kind.committedError(templateId, number);
        const expected = expectedTag(ifMatch, current.entityTag);
        const name = textOf(input.name, 'name') ?? current.name;
        const body = await kind.validate(input.body, template.accountId, current.body);
        const description = input.description ?? current.description;
        const changes = {
          name,
          description: description ?? null,
          body,
          committed: input.committed === true,
          lastModifiedAt: clock.now().toISOString(),
          lastModifiedById: actor.principal.iamId,
          entityTag: nextTag(current.entityTag),
        };
        return commit(async (w) => {
          if (!(await store.updateVersion(w.trx, templateId, number, expected ?? current.entityTag, changes))) {
            const now = await store.getVersion<B>(templateId, number, w.trx);
            if (!now) throw kind.notFoundError(templateId, number);
            if (now.committed) throw kind.committedError(templateId, number);
            throw staleTag();
          }
          if (name !== template.name) await store.renameTemplate(w.trx, templateId, name, () => kind.nameTakenError(name));
          w.changed({ entity: 'template', entityId: templateId, accountId: template.accountId, op: 'update' });
          return (await store.getVersion<B>(templateId, number, w.trx))!;
        });
      });
    },

    async commit(actor, templateId, number, ifMatch) {
      const audit = subject('update', templateId, null, { version: number, commit: true });
      await ctx.audited(actor, audit, async (commit) => {
        const template = await visible(actor, templateId, number);
        audit.accountId = template.accountId;
        await authorize(ctx, actor, action('update'), templateTarget(kind, template.accountId, templateId));
        const current = await versionOf(templateId, number);
        const expected = expectedTag(ifMatch, current.entityTag);
        if (current.committed) return;
        await commit(async (w) => {
          const stamp = { at: clock.now().toISOString(), by: actor.principal.iamId, entityTag: nextTag(current.entityTag) };
          if (!(await store.commitVersion(w.trx, templateId, number, expected, stamp))) {
            if (!(await store.getVersion(templateId, number, w.trx))) throw kind.notFoundError(templateId, number);
            throw staleTag();
          }
          w.changed({ entity: 'template', entityId: templateId, accountId: template.accountId, op: 'update' });
        });
      });
    },

    async deleteVersion(actor, templateId, number) {
      const audit = subject('delete', templateId, null, { version: number });
      await ctx.audited(actor, audit, async (commit) => {
        const template = await visible(actor, templateId, number);
        audit.accountId = template.accountId;
        await authorize(ctx, actor, action('delete'), templateTarget(kind, template.accountId, templateId));
        await commit(async (w) => {
          // Counted inside the write: an assignment made meanwhile is either seen here or refused for the missing version.
          if ((await store.countAssignments(templateId, number, w.trx)) > 0) throw templateErrors.assigned(templateId, number);
          if (!(await store.deleteVersion(w.trx, templateId, number))) throw kind.notFoundError(templateId, number);
          w.changed({ entity: 'template', entityId: templateId, accountId: template.accountId, op: 'update' });
        });
      });
    },

    async deleteTemplate(actor, templateId) {
      const audit = subject('delete', templateId, null);
      await ctx.audited(actor, audit, async (commit) => {
        const template = await visible(actor, templateId);
        audit.accountId = template.accountId;
        await authorize(ctx, actor, action('delete'), templateTarget(kind, template.accountId, templateId));
        await commit(async (w) => {
          if ((await store.countAssignments(templateId, undefined, w.trx)) > 0) throw templateErrors.assigned(templateId);
          await store.deleteTemplate(w.trx, templateId);
          w.changed({ entity: 'template', entityId: templateId, accountId: template.accountId, op: 'delete' });
        });
      });
    },

    async get(actor, templateId, version) {
      const template = await visible(actor, templateId, version);
      await authorize(ctx, actor, action('read'), templateTarget(kind, template.accountId, templateId));
      return versionOf(templateId, version);
    },

    async list(actor, accountId, window, filter = {}) {
      if (accountId !== actor.principal.accountId) return { items: [], more: false };
      await authorize(ctx, actor, action('read'), templateTarget(kind, accountId));
      return store.listLatest<B>({ kind: kind.name, accountId, ...filter }, window);
    },

    async listVersions(actor, templateId, window) {
      const template = await visible(actor, templateId);
      await authorize(ctx, actor, action('read'), templateTarget(kind, template.accountId, templateId));
      return store.listVersions<B>(templateId, window);
    },
  };
}
