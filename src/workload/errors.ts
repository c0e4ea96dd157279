import { DomainError, notFound } from '../kernel/errors.js';

/** Errors of the trusted-issuer API (IAM Identity's error shape). */
export const issuerErrors = {
  notFound: (id: string) => notFound('Trusted issuer', id),
  duplicate: (issuer: string) =>
    new DomainError('conflict', 'conflict', `The account already trusts an issuer with the URL ${issuer}.`),
};

/**
 * Why a workload (compute-resource) token was refused, in the token API's BXNIM style: each a 400
 * with a stable `code` (also the label of the refusal metric), IBM's code for a token that is
 * malformed (BXNIM0401E), not supported (BXNIM0405E) or invalid (BXNIM0407E), and a message
 * that says what to fix.
 */
export type RefusalReason =
  | 'malformed'
  | 'algorithm_not_allowed'
  | 'unknown_issuer'
  | 'ambiguous_issuer'
  | 'audience_mismatch'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'missing_claim'
  | 'unknown_key'
  | 'bad_signature'
  | 'jwks_unavailable';

const MESSAGE_CODES: Record<RefusalReason, string> = {
  malformed: 'BXNIM0401E',
  algorithm_not_allowed: 'BXNIM0405E',
  unknown_issuer: 'BXNIM0405E',
  ambiguous_issuer: 'BXNIM0405E',
  audience_mismatch: 'BXNIM0407E',
  expired: 'BXNIM0407E',
  not_yet_valid: 'BXNIM0407E',
  issued_in_future: 'BXNIM0407E',
  missing_claim: 'BXNIM0401E',
  unknown_key: 'BXNIM0407E',
  bad_signature: 'BXNIM0407E',
  jwks_unavailable: 'BXNIM0405E',
};

/** A refused compute-resource token; `reason` is its metric label. */
export class TokenRefusal extends DomainError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    more?: string,
  ) {
    super('invalid', `cr_token_${reason}`, message, { messageCode: MESSAGE_CODES[reason], ...(more ? { more } : {}) });
  }
}

export const refuse = (reason: RefusalReason, message: string, more?: string) => new TokenRefusal(reason, message, more);
