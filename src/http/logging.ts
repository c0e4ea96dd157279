import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

/**
 * Pino options: secrets never reach the log. Request headers that carry credentials and body or
 * query fields that can hold API keys, tokens or passwords are redacted: every field of a request
 * or response schema that carries a secret (`token` of a password reset, `accessTokenBody` of a
 * decision, `iam_apikey` of a new enterprise account, …). Requests are logged by method and path only.
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
        'cr_token',
        'client_secret',
        'invitation_token',
        'passcode',
        'csrf_token',
        'recovery_codes',
        'secret',
        'token',
        'accessTokenBody',
        'iam_apikey',
        'req.headers["x-csrf-token"]',
        '*.apikey',
        '*.password',
        '*.access_token',
        '*.refresh_token',
        '*.cr_token',
        '*.client_secret',
        '*.invitation_token',
        '*.passcode',
        '*.csrf_token',
        '*.recovery_codes',
        '*.secret',
        '*.token',
        '*.accessTokenBody',
        '*.iam_apikey',
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

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger, made only when the request logs at an enabled level. Fastify gives every
 * request a child logger; making one (its bindings go through redaction) costs about as much as
 * deciding an authorization request, and at level `warn` or above few requests ever log.
 */
class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.own().level = level;
  }

  fatal(...args: unknown[]): void {
    this.log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.log('error', args);
  }
  warn(...args: unknown[]): void {
    this.log('warn', args);
  }
  info(...args: unknown[]): void {
    this.log('info', args);
  }
  debug(...args: unknown[]): void {
    this.log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.log('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.own().child(bindings, options);
  }

  /** The request's own logger, made on first use. */
  private own(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }

  private log(level: Level, args: unknown[]): void {
    if (this.made === undefined && !this.parent.isLevelEnabled(level)) return;
    (this.own()[level] as (...a: unknown[]) => void)(...args);
  }
}

/** Fastify's `childLoggerFactory`: request loggers are made lazily unless a route sets its own level. */
export const lazyChildLoggers: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) =>
  options.level === undefined ? new LazyChildLogger(logger as unknown as Logger, bindings, options) : logger.child(bindings, options);
