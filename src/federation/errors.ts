import { DomainError, invalid, notFound } from '../kernel/errors.js';

/** Errors of the identity-provider API (IAM Identity's error shape) and of federated sign-in (handbook shape). */
export const federationErrors = {
  notFound: (id: string) => notFound('Identity provider', id),
  duplicate: (issuer: string) => new DomainError('conflict', 'conflict', `The account already has an identity provider with the id ${issuer}.`),
  invalid: (message: string) => invalid(message),
  /** A ticket that is unknown, spent or expired (the same answer for each, so none is told apart). */
  ticketInvalid: () => new DomainError('invalid', 'federation_ticket_invalid', 'The sign-in ticket is unknown, already used or expired: sign in through your identity provider again.'),
  /** The chosen profile is not among the ticket's choices, or signing in as the user was chosen by a non-member. */
  choiceRefused: (what: string) => new DomainError('forbidden', 'federation_choice_refused', `${what} is not one of the choices of this sign-in.`),
};

/**
 * Why an identity provider's answer was refused. Each is a 401 with a stable code (also the audit
 * reason) and a message that names what to fix, never the assertion's content.
 */
export type RefusalReason =
  | 'malformed'
  | 'bad_signature'
  | 'unsigned'
  | 'wrong_audience'
  | 'wrong_recipient'
  | 'expired'
  | 'replayed'
  | 'unknown_request'
  | 'wrong_issuer'
  | 'bad_state'
  | 'bad_nonce'
  | 'id_token_invalid'
  | 'idp_error'
  | 'idp_unavailable'
  | 'no_subject';

export class FederationRefusal extends DomainError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super('unauthenticated', `federation_${reason}`, message);
  }
}

export const refuse = (reason: RefusalReason, message: string) => new FederationRefusal(reason, message);
