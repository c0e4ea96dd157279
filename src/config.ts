import { isIP } from 'node:net';
import { resolve } from 'node:path';

/**
 * The one typed configuration. Precedence: defaults, then `PORTCULLIS_*` environment variables, then
 * command-line flags (passed in as `overrides`).
 */
export interface Config {
  host: string;
  port: number;
  /** Directory for the embedded SQLite database and other local state. */
  dataDir: string;
  /** `postgres://…` selects PostgreSQL; empty selects SQLite in `dataDir`. */
  databaseUrl: string;
  /** The issuer written into tokens and discovery; defaults to the listen address. */
  publicUrl: string;
  /** Apply pending migrations at start (otherwise run `portcullis migrate`). */
  autoMigrate: boolean;
  logLevel: string;
  /** How often the token signing key rotates, in seconds. */
  signingKeyRotationSeconds: number;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  /** Catalog file of additional services loaded at start (optional). */
  catalogFile: string;
  /**
   * Reverse proxies (addresses or CIDR subnets) trusted to name the client in `X-Forwarded-For`.
   * Requests from any other peer are attributed to the peer itself. Empty: trust no proxy.
   */
  trustedProxies: string[];
  /** Limits on credential checks (token grants, API key lookups, invitation acceptance). */
  rateLimit: RateLimitConfig;
  /**
   * Addresses or CIDR subnets that no account's `allowed_ip_addresses` restricts: the operator's
   * way back into an account whose list locks everyone out. Empty by default.
   */
  allowedIpExempt: string[];
  /**
   * Secrets at rest: the key-encryption key that seals the signing private keys in the database,
   * 32 bytes as base64 or hex. Required on PostgreSQL (the same on every node), unless
   * `keyEncryptionKeyFile` is set; on SQLite, when neither is set, one is generated in `dataDir`.
   */
  keyEncryptionKey: string;
  /** A file holding the key-encryption key (base64 or hex), instead of `keyEncryptionKey`. */
  keyEncryptionKeyFile: string;
  /** During a KEK rotation, the key being replaced: it opens stored keys, which are sealed again under the new one. */
  keyEncryptionKeyPrevious: string;
  /** Outgoing e-mail (invitations): SMTP when `smtpUrl` is set, else `.eml` files in `<dataDir>/outbox`. */
  mail: { smtpUrl: string; from: string };
  /** User Management: how long an invitation can be accepted, in seconds. */
  users: { invitationTtlSeconds: number };
  /**
   * Context-based restrictions: `exempt` addresses or CIDR subnets no rule restricts on
   * Portcullis's own APIs (the operator's way back in); `locations` the locations a zone's service
   * reference may name (IBM's metros and regions by default).
   */
  cbr: { exempt: string[]; locations: string[] };
  /** Workload identity (src/workload/): fetching the JWKS of trusted issuers. */
  workload: WorkloadConfig;
  /** Sign-in (src/signin): password rules and how long a password-reset link works. */
  signin: SignInConfig;
  /** Passkeys (src/signin/passkeys.ts): the WebAuthn relying party. */
  webauthn: WebAuthnConfig;
  /** Federated sign-in (src/federation): SAML and OIDC identity providers. */
  federation: FederationConfig;
  /**
   * Enterprise-managed templates (src/templates): how long an assignment run may go without a
   * heartbeat before any node takes it for stopped and fails it, retriable (PORTCULLIS_TEMPLATE_RUN_LEASE_MS).
   */
  templates: { runLeaseMs: number };
}

export interface WebAuthnConfig {
  /** The relying party id passkeys are bound to (a host name); empty: the public URL's host. */
  rpId: string;
  /** The name authenticators show. */
  rpName: string;
  /** The origins sign-in pages run on (`https://host[:port]`); empty: the public URL's origin. */
  origins: string[];
}

export interface FederationConfig {
  /** Whether an IdP's SSO URL or OIDC issuer may be plain `http:` (tests, labs); otherwise only `https:`. */
  httpAllowed: boolean;
  /** Clock skew accepted on assertion and ID-token times, in seconds. */
  clockSkewSeconds: number;
  /** How long a sign-in sent to an IdP may be answered, in seconds. */
  requestTtlSeconds: number;
  /** How long the browser has to choose (member or trusted profile) after the IdP answered, in seconds. */
  ticketTtlSeconds: number;
  /** Where the browser lands with `?ticket=` after the IdP answered (relative to the public URL, or absolute). */
  landingUrl: string;
}

export interface WorkloadConfig {
  /** Whether an issuer's `jwks_url` may be plain `http:` (tests, labs); otherwise only `https:`. */
  jwksHttpAllowed: boolean;
  /** How long one JWKS fetch may take, in ms. */
  jwksTimeoutMs: number;
  /** The least time between two fetches of one JWKS (an unknown `kid` refetches at most this often), in ms. */
  jwksCooldownMs: number;
  /** How long a fetched JWKS is used before it is fetched again, in ms. */
  jwksMaxAgeMs: number;
}

export interface SignInConfig {
  /** Fewest characters a password may have. */
  passwordMinLength: number;
  /** How long an e-mailed password-reset link can be used, in seconds. */
  passwordResetTtlSeconds: number;
  /**
   * Lockout after repeated failed sign-ins, counted in the database (shared by every node): per
   * login and per client address in a window of `lockoutWindowSeconds`, locking for
   * `lockoutSeconds`; 0 failures disables that limit.
   */
  lockoutWindowSeconds: number;
  lockoutSeconds: number;
  lockoutFailuresPerLogin: number;
  lockoutFailuresPerAddress: number;
}

/** IBM Cloud's multizone regions and their metros: the locations a CBR service reference may name by default. */
const DEFAULT_CBR_LOCATIONS = [
  'us-south', 'dal', 'us-east', 'wdc', 'eu-gb', 'lon', 'eu-de', 'fra', 'eu-es', 'mad', 'jp-tok', 'tok', 'jp-osa', 'osa',
  'au-syd', 'syd', 'ca-tor', 'tor', 'br-sao', 'sao',
] as const;

/** See src/http/rate-limit.ts; 0 disables a limit. */
export interface RateLimitConfig {
  /** Length of each counting window, in seconds. */
  windowSeconds: number;
  /** Failed credential checks from one client address per window before every check from it answers 429. */
  failuresPerAddress: number;
  /** Failed checks of one presented credential (from any address) per window before it answers 429. */
  failuresPerKey: number;
  /** Credential checks, good or bad, from one client address per window. */
  checksPerAddress: number;
}

type Env = Record<string, string | undefined>;

function intFrom(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function listFrom(value: string | undefined): string[] {
  return (value ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}

function boolFrom(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

/** Flags and test settings: any field, and any field of a section. */
export type ConfigOverrides = Partial<Omit<Config, 'mail' | 'users' | 'rateLimit' | 'workload' | 'signin' | 'webauthn' | 'federation'>> & {
  webauthn?: Partial<WebAuthnConfig>;
  workload?: Partial<WorkloadConfig>;
  federation?: Partial<FederationConfig>;
  signin?: Partial<SignInConfig>;
  rateLimit?: Partial<RateLimitConfig>;
  mail?: Partial<Config['mail']>;
  users?: Partial<Config['users']>;
};

export function loadConfig(overrides: ConfigOverrides = {}, env: Env = process.env): Config {
  const host = overrides.host ?? env.PORTCULLIS_HOST ?? '127.0.0.1';
  const port = overrides.port ?? intFrom(env.PORTCULLIS_PORT, 'PORTCULLIS_PORT', 8080);
  const config: Config = {
    host,
    port,
    dataDir: resolve(overrides.dataDir ?? env.PORTCULLIS_DATA_DIR ?? './data'),
    databaseUrl: overrides.databaseUrl ?? env.PORTCULLIS_DATABASE_URL ?? '',
    publicUrl: overrides.publicUrl ?? env.PORTCULLIS_PUBLIC_URL ?? '',
    autoMigrate: overrides.autoMigrate ?? boolFrom(env.PORTCULLIS_AUTO_MIGRATE, true),
    logLevel: overrides.logLevel ?? env.PORTCULLIS_LOG_LEVEL ?? 'info',
    signingKeyRotationSeconds:
      overrides.signingKeyRotationSeconds ??
      intFrom(env.PORTCULLIS_SIGNING_KEY_ROTATION_SECONDS, 'PORTCULLIS_SIGNING_KEY_ROTATION_SECONDS', 30 * 24 * 3600),
    bodyLimitBytes: overrides.bodyLimitBytes ?? intFrom(env.PORTCULLIS_BODY_LIMIT_BYTES, 'PORTCULLIS_BODY_LIMIT_BYTES', 1024 * 1024),
    catalogFile: overrides.catalogFile ?? env.PORTCULLIS_CATALOG_FILE ?? '',
    trustedProxies: overrides.trustedProxies ?? listFrom(env.PORTCULLIS_TRUSTED_PROXIES),
    rateLimit: {
      windowSeconds: intFrom(env.PORTCULLIS_RATE_LIMIT_WINDOW_SECONDS, 'PORTCULLIS_RATE_LIMIT_WINDOW_SECONDS', 60),
      failuresPerAddress: intFrom(env.PORTCULLIS_RATE_LIMIT_FAILURES_PER_ADDRESS, 'PORTCULLIS_RATE_LIMIT_FAILURES_PER_ADDRESS', 30),
      failuresPerKey: intFrom(env.PORTCULLIS_RATE_LIMIT_FAILURES_PER_KEY, 'PORTCULLIS_RATE_LIMIT_FAILURES_PER_KEY', 10),
      checksPerAddress: intFrom(env.PORTCULLIS_RATE_LIMIT_CHECKS_PER_ADDRESS, 'PORTCULLIS_RATE_LIMIT_CHECKS_PER_ADDRESS', 600),
      ...overrides.rateLimit,
    },
    allowedIpExempt: overrides.allowedIpExempt ?? listFrom(env.PORTCULLIS_ALLOWED_IP_EXEMPT),
    keyEncryptionKey: overrides.keyEncryptionKey ?? env.PORTCULLIS_KEY_ENCRYPTION_KEY ?? '',
    keyEncryptionKeyFile: overrides.keyEncryptionKeyFile ?? env.PORTCULLIS_KEY_ENCRYPTION_KEY_FILE ?? '',
    keyEncryptionKeyPrevious: overrides.keyEncryptionKeyPrevious ?? env.PORTCULLIS_KEY_ENCRYPTION_KEY_PREVIOUS ?? '',
    mail: {
      smtpUrl: overrides.mail?.smtpUrl ?? env.PORTCULLIS_SMTP_URL ?? '',
      from: overrides.mail?.from ?? (env.PORTCULLIS_MAIL_FROM || 'Portcullis <portcullis@localhost>'),
    },
    users: {
      invitationTtlSeconds:
        overrides.users?.invitationTtlSeconds ??
        intFrom(env.PORTCULLIS_INVITATION_TTL_SECONDS, 'PORTCULLIS_INVITATION_TTL_SECONDS', 7 * 24 * 3600),
    },
    cbr: {
      exempt: overrides.cbr?.exempt ?? listFrom(env.PORTCULLIS_CBR_EXEMPT),
      locations: overrides.cbr?.locations ?? (env.PORTCULLIS_CBR_LOCATIONS ? listFrom(env.PORTCULLIS_CBR_LOCATIONS) : [...DEFAULT_CBR_LOCATIONS]),
    },
    workload: {
      jwksHttpAllowed: boolFrom(env.PORTCULLIS_WORKLOAD_JWKS_HTTP, false),
      jwksTimeoutMs: intFrom(env.PORTCULLIS_WORKLOAD_JWKS_TIMEOUT_MS, 'PORTCULLIS_WORKLOAD_JWKS_TIMEOUT_MS', 5000),
      jwksCooldownMs: intFrom(env.PORTCULLIS_WORKLOAD_JWKS_COOLDOWN_MS, 'PORTCULLIS_WORKLOAD_JWKS_COOLDOWN_MS', 30_000),
      jwksMaxAgeMs: intFrom(env.PORTCULLIS_WORKLOAD_JWKS_MAX_AGE_MS, 'PORTCULLIS_WORKLOAD_JWKS_MAX_AGE_MS', 600_000),
      ...overrides.workload,
    },
    signin: {
      passwordMinLength:
        overrides.signin?.passwordMinLength ?? intFrom(env.PORTCULLIS_PASSWORD_MIN_LENGTH, 'PORTCULLIS_PASSWORD_MIN_LENGTH', 10),
      passwordResetTtlSeconds:
        overrides.signin?.passwordResetTtlSeconds ??
        intFrom(env.PORTCULLIS_PASSWORD_RESET_TTL_SECONDS, 'PORTCULLIS_PASSWORD_RESET_TTL_SECONDS', 3600),
      lockoutWindowSeconds:
        overrides.signin?.lockoutWindowSeconds ?? intFrom(env.PORTCULLIS_SIGNIN_LOCKOUT_WINDOW_SECONDS, 'PORTCULLIS_SIGNIN_LOCKOUT_WINDOW_SECONDS', 900),
      lockoutSeconds: overrides.signin?.lockoutSeconds ?? intFrom(env.PORTCULLIS_SIGNIN_LOCKOUT_SECONDS, 'PORTCULLIS_SIGNIN_LOCKOUT_SECONDS', 900),
      lockoutFailuresPerLogin:
        overrides.signin?.lockoutFailuresPerLogin ??
        intFrom(env.PORTCULLIS_SIGNIN_LOCKOUT_FAILURES_PER_LOGIN, 'PORTCULLIS_SIGNIN_LOCKOUT_FAILURES_PER_LOGIN', 10),
      lockoutFailuresPerAddress:
        overrides.signin?.lockoutFailuresPerAddress ??
        intFrom(env.PORTCULLIS_SIGNIN_LOCKOUT_FAILURES_PER_ADDRESS, 'PORTCULLIS_SIGNIN_LOCKOUT_FAILURES_PER_ADDRESS', 100),
    },
    webauthn: {
      rpId: overrides.webauthn?.rpId ?? env.PORTCULLIS_WEBAUTHN_RP_ID ?? '',
      rpName: overrides.webauthn?.rpName ?? (env.PORTCULLIS_WEBAUTHN_RP_NAME || 'Portcullis'),
      origins: overrides.webauthn?.origins ?? listFrom(env.PORTCULLIS_WEBAUTHN_ORIGINS),
    },
    federation: {
      httpAllowed: boolFrom(env.PORTCULLIS_FEDERATION_HTTP, false),
      clockSkewSeconds: intFrom(env.PORTCULLIS_FEDERATION_CLOCK_SKEW_SECONDS, 'PORTCULLIS_FEDERATION_CLOCK_SKEW_SECONDS', 60),
      requestTtlSeconds: intFrom(env.PORTCULLIS_FEDERATION_REQUEST_TTL_SECONDS, 'PORTCULLIS_FEDERATION_REQUEST_TTL_SECONDS', 600),
      ticketTtlSeconds: intFrom(env.PORTCULLIS_FEDERATION_TICKET_TTL_SECONDS, 'PORTCULLIS_FEDERATION_TICKET_TTL_SECONDS', 300),
      landingUrl: env.PORTCULLIS_FEDERATION_LANDING_URL || '/console/federation',
      ...overrides.federation,
    },
    templates: {
      runLeaseMs: overrides.templates?.runLeaseMs ?? intFrom(env.PORTCULLIS_TEMPLATE_RUN_LEASE_MS, 'PORTCULLIS_TEMPLATE_RUN_LEASE_MS', 30_000),
    },
  };
  if (config.rateLimit.windowSeconds < 1) throw new Error('PORTCULLIS_RATE_LIMIT_WINDOW_SECONDS must be at least 1');
  for (const entry of [...config.trustedProxies, ...config.allowedIpExempt, ...config.cbr.exempt]) {
    if (!isAddressOrSubnet(entry)) throw new Error(`"${entry}" in PORTCULLIS_TRUSTED_PROXIES, PORTCULLIS_ALLOWED_IP_EXEMPT or PORTCULLIS_CBR_EXEMPT is not an IP address or CIDR subnet`);
  }
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new Error('PORTCULLIS_DATABASE_URL must be a postgres:// URL');
  }
  if (config.mail.smtpUrl && !/^smtps?:\/\//.test(config.mail.smtpUrl)) {
    throw new Error('PORTCULLIS_SMTP_URL must be an smtp:// or smtps:// URL');
  }
  if (config.users.invitationTtlSeconds < 60) throw new Error('PORTCULLIS_INVITATION_TTL_SECONDS must be at least 60');
  if (config.signin.passwordMinLength < 8 || config.signin.passwordMinLength > 128) throw new Error('PORTCULLIS_PASSWORD_MIN_LENGTH must be from 8 to 128');
  if (config.signin.passwordResetTtlSeconds < 60) throw new Error('PORTCULLIS_PASSWORD_RESET_TTL_SECONDS must be at least 60');
  if (config.signin.lockoutWindowSeconds < 1 || config.signin.lockoutSeconds < 1) {
    throw new Error('PORTCULLIS_SIGNIN_LOCKOUT_WINDOW_SECONDS and PORTCULLIS_SIGNIN_LOCKOUT_SECONDS must be at least 1');
  }
  for (const origin of config.webauthn.origins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) throw new Error(`"${origin}" in PORTCULLIS_WEBAUTHN_ORIGINS is not an origin (scheme://host[:port], no path)`);
  }
  if (config.federation.clockSkewSeconds > 300) throw new Error('PORTCULLIS_FEDERATION_CLOCK_SKEW_SECONDS must be at most 300');
  if (config.federation.requestTtlSeconds < 60 || config.federation.ticketTtlSeconds < 30) {
    throw new Error('PORTCULLIS_FEDERATION_REQUEST_TTL_SECONDS must be at least 60 and PORTCULLIS_FEDERATION_TICKET_TTL_SECONDS at least 30');
  }
  if (config.templates.runLeaseMs < 3) throw new Error('PORTCULLIS_TEMPLATE_RUN_LEASE_MS must be at least 3');
  return config;
}

/** The base URL clients use, for the token issuer and hrefs. */
export function publicUrlOf(config: Config, boundPort: number): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
}

/** `address` or `address/prefix` with a prefix that fits the address family. */
function isAddressOrSubnet(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32));
}
