import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { outputOf, withOutputFlags, leaf, type Flags } from './command.js';
import { usageError } from './errors.js';
import { clearSession, configPath, readConfig, type Session } from './home.js';
import { prompt } from './prompt.js';
import { login, loginWithPassword, target } from './session.js';
import { needsPasscode } from './token.js';

/** `--apikey @file` reads the key from a file: plain text, or the JSON `api-key-create --file` wrote. */
function apikeyOf(value: string): string {
  if (!value.startsWith('@')) return value;
  const text = readFileSync(value.slice(1), 'utf8').trim();
  if (!text.startsWith('{')) return text;
  const parsed = JSON.parse(text) as { apikey?: string };
  if (!parsed.apikey) throw usageError(`${value.slice(1)} holds no "apikey".`);
  return parsed.apikey;
}

/**
 * A password login: the password from --password, else asked for on the terminal; the one-time
 * code from --passcode, else asked for on the terminal when the account requires one.
 */
async function passwordLogin(url: string, username: string, flags: Flags): Promise<Session> {
  const password = typeof flags.password === 'string' ? flags.password : await prompt('Password: ', { secret: true, flag: '--password' });
  const options = { ...(typeof flags.account === 'string' && { account: flags.account }), ...(typeof flags.passcode === 'string' && { passcode: flags.passcode }) };
  try {
    return await loginWithPassword(url, username, password, options);
  } catch (error) {
    if (options.passcode !== undefined || !needsPasscode(error) || !process.stdin.isTTY) throw error;
    const passcode = await prompt('One-time code (authenticator app or recovery code): ', { secret: false, flag: '--passcode' });
    return loginWithPassword(url, username, password, { ...options, passcode });
  }
}

/** `portcullis login`, `logout`, `target`, and `iam oauth-tokens`. */
export function registerLogin(program: Command, iam: Command): void {
  withOutputFlags(program.command('login'))
    .description('log in with an API key, or a login and password; the session is kept in ~/.portcullis/config.json')
    .option('--apikey <key>', 'API key, or @file holding it (default: $PORTCULLIS_APIKEY)')
    .option('-u, --username <login>', 'log in as this user, with a password')
    .option('-p, --password [password]', 'the password (asked for on the terminal when left out)')
    .option('--passcode <code>', 'one-time code (authenticator app or recovery code) when the account requires MFA')
    .option('-a, --api <url>', 'server URL (default: $PORTCULLIS_URL, else the last one used)')
    .option('-c, --account <account-id>', "account to log in to (default: the API key's own, or the user's)")
    .addHelpText('after', '\nExamples:\n  portcullis login --apikey @key.json -a http://127.0.0.1:8080\n  portcullis login -u alice@example.com --password -a http://127.0.0.1:8080\n')
    .action(async (flags: Flags) => {
      const out = outputOf(flags);
      const url = (flags.api as string | undefined) || process.env.PORTCULLIS_URL || readConfig().session?.url;
      if (!url) throw usageError('No server: pass -a URL (or set PORTCULLIS_URL).');
      const username = flags.username as string | undefined;
      const given = (flags.apikey as string | undefined) ?? (username === undefined && flags.password === undefined ? process.env.PORTCULLIS_APIKEY : undefined);
      if (given !== undefined && (username !== undefined || flags.password !== undefined)) throw usageError('Pass either --apikey, or -u USER with --password.');
      if (given === undefined && username === undefined) {
        throw usageError(flags.password !== undefined ? 'Pass -u USER with --password.' : 'Pass --apikey KEY (or @file), -u USER [--password], or set PORTCULLIS_APIKEY.');
      }
      out.progress(`API endpoint: ${url}`);
      out.progress('Authenticating...');
      const session = given !== undefined ? await login(url, apikeyOf(given), flags.account as string | undefined) : await passwordLogin(url, username!, flags);
      out.ok();
      const shown = { url: session.url, account_id: session.accountId, iam_id: session.iamId, expiration: session.expiration };
      out.result(shown, () => out.fields([['API endpoint', session.url], ['Account', session.accountId], ['User', session.iamId]]));
    });

  withOutputFlags(program.command('logout'))
    .description('forget the stored session')
    .addHelpText('after', '\nExample:\n  portcullis logout\n')
    .action((flags: Flags) => {
      const out = outputOf(flags);
      out.progress('Logging out...');
      clearSession();
      out.ok();
      out.result({ logged_out: true }, () => undefined);
    });

  withOutputFlags(program.command('target'))
    .description('show the targeted account, or target another one')
    .option('-c, --account <account-id>', 'account to target')
    .addHelpText('after', '\nExample:\n  portcullis target -c 0123456789abcdef0123456789abcdef\n')
    .action(async (flags: Flags) => {
      const out = outputOf(flags);
      const account = flags.account as string | undefined;
      const session = account ? await target(account) : readConfig().session;
      if (!session) throw usageError("Not logged in. Use 'portcullis login --apikey KEY -a URL'.");
      const shown = { url: session.url, account_id: session.accountId, iam_id: session.iamId, config: configPath() };
      out.result(shown, () => out.fields([['API endpoint', session.url], ['Account', session.accountId], ['User', session.iamId]]));
    });

  leaf(iam, { name: 'oauth-tokens', description: 'print an IAM access token of the current login', example: 'curl -H "Authorization: $(portcullis iam oauth-tokens -q | awk \'{print $3" "$4}\')" …' }, async (ctx) => {
    const { accessToken } = ctx.api.connection;
    ctx.out.result({ iam_token: `Bearer ${accessToken}` }, () => ctx.out.message(`IAM token:  Bearer ${accessToken}`));
  });
}
