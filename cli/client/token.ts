import { CliError, messageOfBody } from './errors.js';

/**
 * Grants of the token service (`POST /identity/token`). The SDK's IamTokenManager only knows the
 * API-key grant without an account and throws the refresh token away; login needs both, so these
 * two form posts are written here. Every API call after them goes through the SDK.
 */
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

async function grant(url: string, form: Record<string, string>): Promise<Grant> {
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/+$/, '')}/identity/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(form),
    });
  } catch (error) {
    throw new CliError(`Cannot reach ${url}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok || !body || typeof body.access_token !== 'string') {
    const transactionId = response.headers.get('transaction-id') ?? undefined;
    throw new CliError(`${messageOfBody(body) ?? response.statusText} [HTTP ${response.status}]`, 1, transactionId);
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

/** Spends a refresh token for a new access token and refresh token (same identity and account). */
export const refreshGrant = (url: string, refreshToken: string): Promise<Grant> =>
  grant(url, { grant_type: 'refresh_token', refresh_token: refreshToken });
