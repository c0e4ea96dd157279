import type { FastifyServerOptions } from 'fastify';

/**
 * Pino options: secrets never reach the log. Request headers that carry credentials and body or
 * query fields that can hold API keys, tokens or passwords are redacted.
 */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["iam-apikey"]',
        'req.headers.cookie',
        'apikey',
        'password',
        'access_token',
        'refresh_token',
        'client_secret',
        '*.apikey',
        '*.password',
        '*.access_token',
        '*.refresh_token',
        '*.client_secret',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      // Query strings can carry secrets on the token endpoint; log the path only.
      req: (request: { method: string; url: string; id: string }) => ({
        method: request.method,
        url: request.url.split('?')[0],
        id: request.id,
      }),
    },
  };
}
