import { DomainError, notFound } from '../kernel/errors.js';

/** The service catalog API's errors. */
export const catalogErrors = {
  serviceNotFound: (name: string) => notFound('Service', name),
  /** Seed services ship with Portcullis: they are read-only through the API (409). */
  builtIn: (name: string) => new DomainError('conflict', 'service_built_in', `Service ${name} ships with Portcullis and cannot be changed or removed.`),
  nameMismatch: (inBody: string, inPath: string) => new DomainError('invalid', 'invalid_body', `The body names service ${inBody}, the path ${inPath}.`),
  /** Before bootstrap there is no operator account, so nobody administers the catalog yet. */
  noOperatorAccount: () => new DomainError('forbidden', 'insufficent_permissions', 'There is no operator account yet.'),
};
