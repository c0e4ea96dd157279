import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../kernel/errors.js';

/**
 * The If-Match value of a request, unquoted, or throws 428 when an update that needs one lacks
 * it. `*` matches any version. (The SDK always sends it where required; other clients may not.)
 */
export function ifMatchOf(request: FastifyRequest): string {
  const value = request.headers['if-match'];
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) {
    throw new DomainError('precondition_required', 'missing_if_match', 'The If-Match header is required for this operation.');
  }
  return unquote(text.trim());
}

/** The If-Match value when the request has one (unquoted), for updates where it is optional. */
export function optionalIfMatchOf(request: FastifyRequest): string | undefined {
  return request.headers['if-match'] === undefined ? undefined : ifMatchOf(request);
}

const unquote = (text: string) => (text.startsWith('W/') ? text.slice(2) : text).replace(/^"(.*)"$/, '$1');

/** Sets the ETag header (unquoted, as IBM's APIs send it). */
export function setEtag(reply: FastifyReply, entityTag: string) {
  reply.header('ETag', entityTag);
}

/** Sends an entity whose tag is in the body already with that tag in the ETag header too. */
export function sendTagged(reply: FastifyReply, status: number, entityTag: string, body: unknown) {
  setEtag(reply, entityTag);
  return reply.code(status).send(body);
}
