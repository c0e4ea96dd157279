import { isIPv4 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { RequestEnvironment } from '../kernel/principal.js';

const IPV4_MAPPED = '::ffff:';

/**
 * The client address of a request: Fastify's `request.ip`, which is the socket peer, or the
 * nearest untrusted `X-Forwarded-For` entry when the peer is one of the configured trusted proxies
 * (`trustProxy`, see app.ts). IPv4 clients of a dual-stack listener appear as IPv4-mapped IPv6
 * (`::ffff:192.0.2.1`); they are reported as plain IPv4 so allow-lists written in IPv4 match.
 */
export function clientAddressOf(request: FastifyRequest): string {
  const ip = request.ip;
  if (ip.startsWith(IPV4_MAPPED) && isIPv4(ip.slice(IPV4_MAPPED.length))) return ip.slice(IPV4_MAPPED.length);
  return ip;
}

/** Where a request comes from, as services and the authorizer receive it. */
export function environmentOf(request: FastifyRequest): RequestEnvironment {
  return {
    clientAddress: clientAddressOf(request),
    endpointType: request.hostname.toLowerCase().startsWith('private.') ? 'private' : 'public',
  };
}
