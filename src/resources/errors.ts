import { DomainError, notFound } from '../kernel/errors.js';

/** Errors of the Resource Manager and Resource Controller APIs. */
export const resourceErrors = {
  groupNotFound: (id: string) => notFound('Resource group', id),
  instanceNotFound: (id: string) => notFound('Resource instance', id),
  reclamationNotFound: (id: string) => notFound('Reclamation', id),
  planNotFound: (id: string) => new DomainError('invalid', 'invalid_plan', `Resource plan ${id} is not known to this server.`),
  defaultGroup: () =>
    new DomainError('conflict', 'default_resource_group', 'The default resource group of an account cannot be deleted.'),
  groupNotEmpty: (id: string) =>
    new DomainError(
      'conflict',
      'resource_group_not_empty',
      `Resource group ${id} still holds resource instances (or reclamations of them); delete or reclaim them first.`,
    ),
  groupNameTaken: (name: string) =>
    new DomainError('conflict', 'resource_group_exists', `A resource group named ${name} already exists in this account.`),
  // IBM answers 422 here; until the HTTP error map has a kind for it, a locked instance is a conflict.
  locked: (id: string) =>
    new DomainError('unprocessable', 'instance_locked', `Resource instance ${id} is locked; unlock it before updating or deleting it.`),
  notActive: (id: string, state: string) =>
    new DomainError('conflict', 'instance_not_active', `Resource instance ${id} is ${state}; only active instances can be changed.`),
  reclamationDone: (id: string, state: string) =>
    new DomainError('conflict', 'reclamation_not_scheduled', `Reclamation ${id} is already ${state}.`),
};
