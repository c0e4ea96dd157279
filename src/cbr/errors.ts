import { DomainError } from '../kernel/errors.js';

/** The CBR API's errors, in its own words (codes as IBM's CBR service reports them). */
export const cbrErrors = {
  zoneNotFound: (id: string) => new DomainError('not_found', 'not_found', `The zone with ID '${id}' could not be found.`),
  ruleNotFound: (id: string) => new DomainError('not_found', 'not_found', `The rule with ID '${id}' could not be found.`),
  targetNotFound: (name: string) => new DomainError('not_found', 'not_found', `The service reference target '${name}' could not be found.`),
  duplicateZoneName: (name: string) =>
    new DomainError('conflict', 'conflict', `A zone with the name '${name}' already exists in the account. Specify a unique name and try again.`),
  zoneInUse: (id: string, ruleId: string) =>
    new DomainError('conflict', 'conflict', `The zone with ID '${id}' is referenced by rule '${ruleId}' and cannot be deleted.`),
  badRequest: (message: string) => new DomainError('invalid', 'bad_request', message),
  /** A path or query parameter that fails its format: IBM names the parameter and where it is. */
  parameter: (name: string, where: 'path' | 'query') => new DomainError('invalid', 'bad_request', `The parameter "${name}" in ${where} has an error.`),
  invalidAddress: (type: string, value: string) =>
    new DomainError('invalid', 'bad_request', `The ${type} value '${value}' is not valid.`),
  notCbrEnabled: (serviceName: string) =>
    new DomainError('invalid', 'bad_request', `The service '${serviceName}' is not enabled for context-based restrictions.`),
  mutuallyExclusive: (names: string[]) =>
    new DomainError(
      'invalid',
      'bad_request',
      `The following query parameters are mutually exclusive: '${names.join(', ')}'. Specify exactly one of the mutually exclusive parameters and try your request again.`,
    ),
  limit: (what: string, limit: number) =>
    new DomainError('invalid', 'bad_request', `The ${what} limit of ${limit} has been reached.`),
  lockout: (ruleSummary: string, address: string) =>
    new DomainError(
      'invalid',
      'bad_request',
      `The rule would lock the account's administrators out of context-based restrictions management: ${ruleSummary} does not admit this request's address ${address}. Add the address to one of the rule's zones, or create the rule in report mode first.`,
    ),
};

/** The error of a call refused by a context-based restriction (IBM's `Context` denial). */
export const contextRestricted = (ruleId: string, serviceName: string, address: string) =>
  new DomainError(
    'forbidden',
    'context_restricted',
    `Access to ${serviceName} from IP address ${address} is not allowed: context-based restriction rule ${ruleId} restricts it.`,
    { messageCode: 'BXNIM0514E' },
  );
