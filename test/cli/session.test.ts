import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { useCliServer } from './client-process.js';

// Each command is a child process (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 300_000 });

let server: TestServer;
const { fresh } = useCliServer({}, (started) => {
  server = started;
});

describe('portcullis login, target, logout', () => {
  it('logs in with an API key, keeps a private session without the key, and acts as the key owner', async () => {
    const cli = fresh();
    const login = await cli.run(['login', '--apikey', server.owner.apikey, '-a', server.url]);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(server.owner.accountId);
    const file = join(cli.home, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(cli.home).mode & 0o777).toBe(0o700);
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(server.owner.apikey);
    expect(JSON.parse(stored).session).toMatchObject({ url: server.url, accountId: server.owner.accountId, iamId: server.owner.iamId });

    const target = await cli.json<{ account_id: string; iam_id: string }>(['target']);
    expect(target).toMatchObject({ account_id: server.owner.accountId, iam_id: server.owner.iamId });
    const token = await cli.json<{ iam_token: string }>(['iam', 'oauth-tokens']);
    expect(token.iam_token).toMatch(/^Bearer ey/);
  });

  it('renews an expired access token with the stored refresh token and stores the new one', async () => {
    const cli = fresh();
    await cli.ok(['login', '--apikey', server.owner.apikey, '-a', server.url]);
    const file = join(cli.home, 'config.json');
    const before = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ session: { ...before.session, expiration: Math.floor(Date.now() / 1000) - 10 } }), { mode: 0o600 });
    const settings = await cli.json<{ account_id: string }>(['iam', 'account-settings']);
    expect(settings.account_id).toBe(server.owner.accountId);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.session.refreshToken).not.toBe(before.session.refreshToken);
    expect(after.session.expiration).toBeGreaterThan(Date.now() / 1000);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A spent refresh token is refused: the session must be renewed from the new one, which works.
    writeFileSync(file, JSON.stringify({ session: { ...after.session, refreshToken: before.session.refreshToken, expiration: 0 } }), { mode: 0o600 });
    const stale = await cli.run(['iam', 'service-ids']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/could not be renewed[\s\S]*BXNIM0407E[\s\S]*portcullis login/);
  });

  it('refuses to target an account the login cannot reach, and keeps the session', async () => {
    const cli = fresh();
    await cli.ok(['login', '--apikey', server.owner.apikey, '-a', server.url]);
    const other = await cli.run(['target', '-c', '0123456789abcdef0123456789abcdef']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('0123456789abcdef0123456789abcdef');
    expect((await cli.json<{ account_id: string }>(['target', '-c', server.owner.accountId])).account_id).toBe(server.owner.accountId);
  });

  it('PORTCULLIS_APIKEY and PORTCULLIS_URL work without a login and store nothing', async () => {
    const cli = fresh();
    const result = await cli.run(['iam', 'account-settings', '--output', 'json'], { env: { PORTCULLIS_APIKEY: server.owner.apikey, PORTCULLIS_URL: server.url } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).account_id).toBe(server.owner.accountId);
    expect(existsSync(join(cli.home, 'config.json'))).toBe(false);
  });

  it('logout forgets the session; commands then ask for a login', async () => {
    const cli = fresh();
    await cli.ok(['login', '--apikey', server.owner.apikey, '-a', server.url]);
    await cli.ok(['logout']);
    expect(existsSync(join(cli.home, 'config.json'))).toBe(false);
    const after = await cli.run(['iam', 'service-ids']);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('Not logged in');
  });
});

describe('errors and exit codes', () => {
  it('a wrong API key: exit 1, the token service message and the Transaction-Id; nothing stored', async () => {
    const cli = fresh();
    const result = await cli.run(['login', '--apikey', 'not-a-key-of-this-server-at-all-0000000', '-a', server.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^FAILED\n.*BXNIM0415E.*\nTransaction-Id: \S+\n$/);
    expect(existsSync(join(cli.home, 'config.json'))).toBe(false);
  });

  it('an API error: exit 1 with the API message and Transaction-Id', async () => {
    const cli = fresh();
    await cli.ok(['login', '--apikey', server.owner.apikey, '-a', server.url]);
    const result = await cli.run(['iam', 'access-group-policy-create', 'nobody-group', '--roles', 'Viewer']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Access group 'nobody-group' was not found.");
    const bad = await cli.run(['iam', 'role-create', 'Bad', 'Bad', 'cloud-object-storage', '--actions', 'no.such.action']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^FAILED\n.+\[HTTP 400\]\nTransaction-Id: \S+\n$/);
  });

  it('usage errors exit 2: unknown command, missing argument, unknown flag, bad --output', async () => {
    const cli = fresh();
    for (const args of [['iam', 'no-such-command'], ['iam', 'service-id-create'], ['iam', 'service-ids', '--bogus'], ['iam', 'service-ids', '--output', 'xml']]) {
      const result = await cli.run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/error:/);
    }
    const noKey = await cli.run(['login', '-a', server.url]);
    expect(noKey.code).toBe(2);
  });

  it('--version, and --help with an example on client commands; server commands keep only their flags', async () => {
    const cli = fresh();
    const version = await cli.run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    const help = await cli.run(['iam', 'service-id-create', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Example:\n {2}portcullis iam service-id-create /);
    const serveWithClientFlag = await cli.run(['migrate', '--apikey', 'x']);
    expect(serveWithClientFlag.code).toBe(2);
  });

  it('a destructive command asks; no answer or "n" cancels (exit 1, nothing deleted), "y" or -f proceeds', async () => {
    const cli = fresh();
    await cli.ok(['login', '--apikey', server.owner.apikey, '-a', server.url]);
    await cli.ok(['iam', 'service-id-create', 'to-delete']);
    for (const input of ['', 'n\n']) {
      const refused = await cli.run(['iam', 'service-id-delete', 'to-delete'], { input });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('Cancelled');
    }
    expect((await cli.json<{ name: string }>(['iam', 'service-id', 'to-delete'])).name).toBe('to-delete');
    const yes = await cli.run(['iam', 'service-id-delete', 'to-delete'], { input: 'y\n' });
    expect(yes.code, yes.stderr).toBe(0);
    expect((await cli.run(['iam', 'service-id', 'to-delete'])).code).toBe(1);
  });
});
