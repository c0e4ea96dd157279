import { CliError } from './errors.js';
import { readConfig, writeConfig, type Session } from './home.js';
import { apikeyGrant, CLI_CLIENT, passwordGrant, refreshGrant } from './token.js';

/** Who the commands act as, and the bearer token they send. */
export interface Connection {
  url: string;
  accountId: string;
  iamId: string;
  accessToken: string;
}

/** Refresh when the access token has less than this left, so a command never starts on a dying token. */
const REFRESH_MARGIN_SECONDS = 60;

const trimUrl = (url: string) => url.replace(/\/+$/, '');

/**
 * The connection for one command. `PORTCULLIS_APIKEY` (with `PORTCULLIS_URL`, or the URL of the
 * stored login) wins over the stored login and is never written anywhere; otherwise the stored
 * session is used, renewed with its refresh token when the access token is about to expire (the
 * renewed session is stored again: refresh tokens are single-use).
 */
export async function connect(): Promise<Connection> {
  const stored = readConfig();
  const apikey = process.env.PORTCULLIS_APIKEY;
  if (apikey) {
    const url = process.env.PORTCULLIS_URL || stored.session?.url;
    if (!url) throw new CliError('PORTCULLIS_APIKEY is set but no server: set PORTCULLIS_URL too.');
    const grant = await apikeyGrant(trimUrl(url), apikey);
    return { url: trimUrl(url), accountId: grant.accountId, iamId: grant.iamId, accessToken: grant.accessToken };
  }
  const session = stored.session;
  if (!session) throw new CliError("Not logged in. Use 'portcullis login --apikey KEY -a URL' (or set PORTCULLIS_APIKEY and PORTCULLIS_URL).");
  const current = session.expiration - REFRESH_MARGIN_SECONDS > Date.now() / 1000 ? session : await renew(session);
  return { url: current.url, accountId: current.accountId, iamId: current.iamId, accessToken: current.accessToken };
}

async function renew(session: Session): Promise<Session> {
  try {
    const grant = await refreshGrant(session.url, session.refreshToken, session.client);
    const renewed: Session = { ...session, ...grant, url: session.url };
    writeConfig({ ...readConfig(), session: renewed });
    return renewed;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(`The session could not be renewed (${reason}). Log in again: portcullis login --apikey KEY (or -u USER --password)`, 1, error instanceof CliError ? error.transactionId : undefined);
  }
}

/** Logs in with an API key and stores the session (never the key). */
export async function login(url: string, apikey: string, account?: string): Promise<Session> {
  const grant = await apikeyGrant(trimUrl(url), apikey, account);
  const session: Session = { url: trimUrl(url), ...grant };
  writeConfig({ ...readConfig(), session });
  return session;
}

/** Logs in with a login and password (and one-time code) and stores the session (never the password). */
export async function loginWithPassword(url: string, username: string, password: string, options: { account?: string; passcode?: string }): Promise<Session> {
  const grant = await passwordGrant(trimUrl(url), username, password, options);
  const session: Session = { url: trimUrl(url), ...grant, client: CLI_CLIENT };
  writeConfig({ ...readConfig(), session });
  return session;
}

/**
 * Targets an account. On this server an API key (a user's or a service ID's) yields tokens only in
 * the account it was created in, and a refresh token keeps its account, so a login reaches exactly
 * one account: targeting it is accepted, any other is refused with how to log in there instead.
 */
export async function target(account: string): Promise<Session> {
  const session = readConfig().session;
  if (!session) throw new CliError("Not logged in. Use 'portcullis login --apikey KEY -a URL'.");
  if (session.accountId === account) return session;
  throw new CliError(
    `Logged in to account ${session.accountId}. An API key yields tokens only in its own account: log in with a key of ${account} (portcullis login --apikey KEY -c ${account}).`,
  );
}
