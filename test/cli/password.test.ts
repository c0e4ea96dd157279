import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it, vi } from 'vitest';
import { identityClient } from '../helpers/sdk.js';
import type { TestServer } from '../helpers/server.js';
import { GOOD_PASSWORD, memberWithPassword, passwordForm, postJson, tokenCall } from '../signin/helpers.js';
import { useCliServer } from './client-process.js';

// Each command is a child process (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 300_000 });

let server: TestServer;
const { fresh } = useCliServer({}, (started) => {
  server = started;
});

describe('portcullis login -u USER --password', () => {
  it('logs in with a password, stores no password, renews the session as the CLI client, and asks for a passcode once the account requires MFA', async () => {
    const login = 'pat@example.com';
    const iamId = await memberWithPassword(server, login);
    const cli = fresh();

    const wrong = await cli.run(['login', '-u', login, '--password', 'not the password at all', '-a', server.url]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^FAILED\n.+\nTransaction-Id: \S+\n$/);

    const ok = await cli.run(['login', '-u', login, '--password', GOOD_PASSWORD, '-a', server.url, '--output', 'json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ account_id: server.owner.accountId, iam_id: iamId });
    const file = join(cli.home, 'config.json');
    expect(readFileSync(file, 'utf8')).not.toContain(GOOD_PASSWORD);
    // The session renews with its refresh token, which is bound to the client it was granted to.
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ session: { ...stored.session, expiration: 0 } }), { mode: 0o600 });
    await cli.ok(['iam', 'oauth-tokens']);
    const renewed = JSON.parse(readFileSync(file, 'utf8')).session;
    expect(renewed).toMatchObject({ iamId, client: 'bx' });
    expect(renewed.refreshToken).not.toBe(stored.session.refreshToken);

    // Without a terminal, a password left out is a usage error (a script must pass it).
    const noTty = await cli.run(['login', '-u', login, '--password', '-a', server.url]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--password');

    // The account requires TOTP: the user enrols an authenticator, then logs in with a code.
    const granted = await tokenCall(server.url, passwordForm(login, GOOD_PASSWORD));
    const bearer = { authorization: `Bearer ${granted.body.access_token}` };
    const started = await postJson(server.url, '/signin/mfa/totp', {}, bearer);
    const code = (offsetMs: number) => TOTP.generate({ secret: Secret.fromBase32(started.body.secret), timestamp: Date.now() + offsetMs });
    expect((await postJson(server.url, '/signin/mfa/totp/confirm', { passcode: code(-30_000) }, bearer)).status).toBe(200);
    await identityClient(server.url, server.owner.apikey).updateAccountSettings({ accountId: server.owner.accountId, ifMatch: '*', mfa: 'TOTP' });

    const missing = await cli.run(['login', '-u', login, '--password', GOOD_PASSWORD, '-a', server.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/passcode/);
    const withCode = await cli.run(['login', '-u', login, '--password', GOOD_PASSWORD, '--passcode', code(0), '-a', server.url, '--output', 'json']);
    expect(withCode.code, withCode.stderr).toBe(0);
    expect(JSON.parse(withCode.stdout).iam_id).toBe(iamId);
  });

  it('refuses mixed or incomplete credentials as usage errors', async () => {
    const cli = fresh();
    for (const args of [
      ['login', '--password', 'x', '-a', server.url],
      ['login', '--apikey', 'k', '-u', 'someone@example.com', '-a', server.url],
    ]) {
      const result = await cli.run(args);
      expect(result.code, args.join(' ')).toBe(2);
    }
  });
});
