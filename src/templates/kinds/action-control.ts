import { ids } from '../../kernel/ids.js';
import { resourceFailure } from '../errors.js';
import type { TemplateKind } from '../types.js';
import type { ActionControlStore } from './action-controls-store.js';
import { policyApiErrors } from './policy-errors.js';

/**
 * Action-control templates (`/v1/action_control_templates`): a service and the actions of it the
 * enterprise decides on for its child accounts. A template may be created without one (a "basic"
 * template) and given one in a later update; only a version with an action control can be applied.
 * An assignment keeps one action-control record in each target account (template_action_controls),
 * made only when the assigner administers that service there (`iam.policy.update` on it).
 */
export interface TemplateActionControl {
  service_name: string;
  description?: string;
  actions: string[];
}

export interface ActionControlBody {
  action_control?: TemplateActionControl;
}

const errors = policyApiErrors('Action control', 'action_control');
const KEY = 'action_control';

export function createActionControlKind(deps: { store: ActionControlStore; clock: { now(): Date } }): TemplateKind<ActionControlBody> {
  return {
    name: 'action_control',
    ...errors,
    actions: {
      template: 'iam-access-management.action-control-template',
      assignment: 'iam-access-management.action-control-assignment',
      serviceName: 'iam-access-management',
      resourceType: 'action-control-template',
      assignmentType: 'action-control-assignment',
    },

    async validate(body) {
      const control = (body as ActionControlBody).action_control;
      if (control === undefined) return {};
      const service = control.service_name.trim();
      if (service === '') throw errors.invalidError('action_control.service_name must not be empty.');
      if (control.actions.length === 0) throw errors.invalidError('action_control.actions needs at least one action.');
      for (const action of control.actions) {
        if (!action.startsWith(`${service}.`)) throw errors.invalidError(`Action ${action} is not an action of service ${service}.`);
      }
      return {
        action_control: { service_name: service, ...(control.description !== undefined ? { description: control.description } : {}), actions: [...new Set(control.actions)] },
      };
    },

    /** The assigner must administer the service in the target account (`iam.policy.update` on it). */
    async authorize(ctx, removing) {
      const service = removing ? undefined : ctx.version.body.action_control?.service_name;
      if (service !== undefined) await resourceFailure(KEY, () => ctx.authorizeInTarget('iam.policy.update', { accountId: ctx.accountId, serviceName: service }));
    },

    async apply(w, ctx) {
      const control = ctx.version.body.action_control;
      const previous = ctx.previous.find((r) => r.key === KEY)?.resourceId;
      const id = await resourceFailure(KEY, async () => {
        if (!control) throw errors.invalidError(`Action control template '${ctx.version.id}' version '${ctx.version.version}' has no action_control to assign.`);
        const existing = previous === undefined ? undefined : await deps.store.get(previous, w.trx);
        const at = deps.clock.now().toISOString();
        const record = {
          id: existing?.id ?? ids.uuid(),
          accountId: ctx.accountId,
          serviceName: control.service_name,
          ...(control.description !== undefined ? { description: control.description } : {}),
          actions: control.actions,
          template: { ...ctx.metadata, ownerAccountId: ctx.assignment.accountId },
          createdAt: existing?.createdAt ?? at,
          createdById: existing?.createdById ?? ctx.principal.iamId,
          lastModifiedAt: at,
          lastModifiedById: ctx.principal.iamId,
        };
        await deps.store.put(w.trx, record);
        w.changed({ entity: 'action_control', entityId: record.id, accountId: ctx.accountId, op: existing ? 'update' : 'create' });
        return record.id;
      });
      return [{ key: KEY, resourceId: id }];
    },

    async remove(w, ctx) {
      for (const r of ctx.previous) {
        if (r.resourceId === undefined) continue;
        await deps.store.delete(w.trx, r.resourceId);
        w.changed({ entity: 'action_control', entityId: r.resourceId, accountId: ctx.accountId, op: 'delete' });
      }
    },

    async drift(ctx) {
      const held = ctx.previous.find((r) => r.key === KEY);
      const control = ctx.version.body.action_control;
      if (!held || !control) return [];
      const live = held.resourceId === undefined ? undefined : await deps.store.get(held.resourceId);
      const same = live !== undefined && live.serviceName === control.service_name && live.actions.join() === control.actions.join();
      return same ? [] : [KEY];
    },
  };
}
