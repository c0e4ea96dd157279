import { CliError, messageOfBody } from './errors.js';

/**
 * Grants of the token service (`POST /identity/token`). The SDK's IamTokenManager only knows the
 * API-key grant without an account and throws the refresh token away; login needs more, so these
 * form posts are written here. Every API call after them goes through the SDK.
 */

/** The client the password grant needs (Basic credentials), as IBM's CLI sends: `bx`/`bx`. */
export const CLI_CLIENT = 'bx';
export interface Grant {
  accessToken: string;
  refreshToken: string;
  expiration: number;
  accountId: string;
  iamId: string;
}

interface Claims {
  iam_id?: string;
  account?: { bss?: string };
}

/** The claims of a JWT (unverified: the CLI only reads which identity and account it was given). */
export function claimsOf(token: string): Claims {
  const payload = token.split('.')[1];
  if (!payload) throw new CliError('The server answered with a token that is not a JWT.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
}

/** A failed grant: the token service's message and Transaction-Id, and the body (e.g. the passcode it requires). */
export class GrantError extends CliError {
  constructor(
    message: string,
    transactionId: string | undefined,
    readonly body: Record<string, unknown> | undefined,
  ) {
    super(message, 1, transactionId);
  }
}

async function grant(url: string, form: Record<string, string>, client?: string): Promise<Grant> {
  let response: Response;
  const basic: Record<string, string> = client ? { Authorization: `Basic ${Buffer.from(`${client}:${client}`).toString('base64')}` } : {};
  try {
    response = await fetch(`${url.replace(/\/+$/, '')}/identity/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...basic },
      body: new URLSearchParams(form),
    });
  } catch (error) {
    throw new CliError(`Cannot reach ${url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok || !body || typeof body.access_token !== 'string') {
    const transactionId = response.headers.get('transaction-id') ?? undefined;
    throw new GrantError(`${messageOfBody(body) ?? response.statusText} [HTTP ${response.status}]`, transactionId, body);
  }
  const accessToken = body.access_token;
  const claims = claimsOf(accessToken);
  return {
    accessToken,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : '',
    expiration: typeof body.expiration === 'number' ? body.expiration : Math.floor(Date.now() / 1000) + Number(body.expires_in ?? 0),
    accountId: claims.account?.bss ?? '',
    iamId: claims.iam_id ?? '',
  };
}

/** The API-key grant, scoped to `account` when given (else the key's own account). */
export const apikeyGrant = (url: string, apikey: string, account?: string): Promise<Grant> =>
  grant(url, { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey, response_type: 'cloud_iam', ...(account && { account }) });

/**
 * A user's login and password, and the one-time code (TOTP or recovery code) when the account
 * requires MFA; scoped to `account` when given. Sent as the CLI client (CLI_CLIENT).
 */
export const passwordGrant = (url: string, username: string, password: string, options: { account?: string; passcode?: string } = {}): Promise<Grant> =>
  grant(
    url,
    { grant_type: 'password', username, password, response_type: 'cloud_iam', ...(options.account && { account: options.account }), ...(options.passcode && { passcode: options.passcode }) },
    CLI_CLIENT,
  );

/** Whether a failed password grant asks for a one-time code. */
export const needsPasscode = (error: unknown): boolean =>
  error instanceof GrantError && (error.body?.requirements as { passcode?: string } | undefined)?.passcode === 'required';

/**
 * Spends a refresh token for a new access token and refresh token (same identity and account), as
 * the client it was issued to (a refresh token is bound to its client).
 */
export const refreshGrant = (url: string, refreshToken: string, client?: string): Promise<Grant> =>
  grant(url, { grant_type: 'refresh_token', refresh_token: refreshToken }, client);
