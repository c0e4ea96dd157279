import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityClient } from '../helpers/sdk.js';
import { newAccount, type Identity } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addMembership, GOOD_PASSWORD, memberWithPassword } from '../signin/helpers.js';
import { openBrowser, screenshot, seriousViolations, signInWithApiKey, signInWithPassword, skipReason, type ConsoleBrowser } from './browser.js';

/** A port free right now (the WebAuthn relying party names the console's origin, port included). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Sign-in in the console beyond the basics: API-key sign-in that survives a reload without the key
 * in the browser, the header's account switcher, and a passkey registered on the Security page then
 * used with the password (Chromium's virtual authenticator, through DevTools). The console is
 * opened at http://localhost (WebAuthn refuses IP addresses as relying-party ids).
 */
describe.skipIf(skipReason)('web console: API-key sessions, the account switcher, passkeys', () => {
  let server: TestServer;
  let browser: ConsoleBrowser;
  let url: string;
  let second: Identity;

  const whoami = () => browser.page.locator('.pc-whoami');
  const signOut = async () => {
    await browser.page.getByRole('button', { name: 'Sign out' }).click();
    await browser.page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
  };

  beforeAll(async () => {
    const port = await freePort();
    url = `http://localhost:${port}`;
    server = await startTestServer({ config: { port, webauthn: { rpId: 'localhost', rpName: 'Portcullis', origins: [url] } } });
    second = await newAccount(server);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('keeps an API-key sign-in across a reload, with the key in no storage of the page', async () => {
    const { page } = browser;
    await signInWithApiKey(page, url, server.owner.apikey);
    expect(await whoami().getAttribute('title')).toBe(server.owner.iamId);
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await whoami().getAttribute('title')).toBe(server.owner.iamId);
    const stored = (await page.evaluate('JSON.stringify([sessionStorage, localStorage, document.cookie])')) as string;
    expect(stored).not.toContain(server.owner.apikey);
    // One account only: no switcher.
    expect(await page.getByRole('button', { name: /^Account: / }).count()).toBe(0);
    await signOut();
    // Signed out, a reload stays signed out.
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
  }, 90_000);

  it('switches between the accounts of a person in two, and asks for a new sign-in where the account requires more', async () => {
    const { page } = browser;
    const iamId = await memberWithPassword(server, 'switcher@example.com');
    await addMembership(server, second.accountId, iamId);
    await page.goto(`${url}/console/?account=${server.owner.accountId}`);
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
    expect(await page.getByLabel('Account ID').inputValue()).toBe(server.owner.accountId);
    await page.getByLabel('Username or e-mail').fill('switcher@example.com');
    await page.getByRole('textbox', { name: 'Password' }).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await whoami().innerText()).toContain(server.owner.accountId);

    await page.getByRole('button', { name: /^Account: / }).click();
    await page.getByRole('menuitem', { name: new RegExp(second.accountId) }).waitFor();
    await screenshot(page, 'account-switcher');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('menuitem', { name: new RegExp(second.accountId) }).click();
    await page.getByText(new RegExp(`· ${second.accountId}`)).waitFor();
    expect(await whoami().getAttribute('title')).toBe(iamId);
    // The switch holds across a reload (the new session's CSRF token replaced the old one).
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await whoami().innerText()).toContain(second.accountId);

    // An account that requires a second factor this session did not use: a new sign-in there is offered.
    const strict = await newAccount(server);
    await addMembership(server, strict.accountId, iamId);
    await identityClient(server.url, strict.apikey).updateAccountSettings({ accountId: strict.accountId, ifMatch: '*', mfa: 'TOTP' });
    await page.reload();
    await page.getByRole('button', { name: /^Account: / }).click();
    await page.getByRole('menuitem', { name: new RegExp(strict.accountId) }).click();
    const dialog = page.getByRole('dialog', { name: /^Switch to / });
    await dialog.getByText(/requires multifactor authentication/).waitFor();
    await screenshot(page, 'account-switch-step-up');
    await dialog.getByRole('button', { name: /^Sign in to / }).click();
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
    expect(await page.getByLabel('Account ID').inputValue()).toBe(strict.accountId);
  }, 120_000);

  it('registers a passkey on the Security page, then signs in with the password and the passkey', async () => {
    const { page } = browser;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    try {
      await memberWithPassword(server, 'passkey@example.com');
      await signInWithPassword(page, url, 'passkey@example.com', GOOD_PASSWORD);
      await page.getByRole('link', { name: 'Security', exact: true }).first().click();
      await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Register a passkey' }).click();
      const dialog = page.getByRole('dialog', { name: 'Register a passkey' });
      await dialog.getByRole('textbox', { name: 'Name' }).fill('virtual key');
      await dialog.getByRole('button', { name: 'Register', exact: true }).click();
      await page.getByRole('cell', { name: 'virtual key', exact: true }).waitFor();
      expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(1);
      await screenshot(page, 'security-passkeys');
      expect(await seriousViolations(page)).toEqual([]);
      await signOut();

      await page.getByLabel('Username or e-mail').fill('passkey@example.com');
      await page.getByRole('textbox', { name: 'Password' }).fill(GOOD_PASSWORD);
      await screenshot(page, 'signin-passkey');
      expect(await seriousViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      // The session signed in with the passkey: level 3, methods password and hardware key.
      const sessions = (await page.evaluate(`fetch('/signin/sessions').then((r) => r.json())`)) as { sessions: { current: boolean; acr: number; amr: string[] }[] };
      expect(sessions.sessions.find((s) => s.current)).toMatchObject({ acr: 3, amr: ['pwd', 'hwk'] });
      // Removing the passkey ends every session of the person, this one included: back to sign-in.
      await page.getByRole('link', { name: 'Security', exact: true }).first().click();
      await page.getByRole('button', { name: /^Actions for / }).first().click();
      await page.getByRole('menuitem', { name: 'Remove' }).click();
      await page.getByRole('dialog', { name: 'Delete passkey virtual key?' }).getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
      await page.getByText('Removing a passkey ended your sessions').waitFor();
      // The server agrees: the session is gone.
      expect(await page.evaluate(`fetch('/signin/sessions').then((r) => r.status)`)).toBe(401);
    } finally {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    }
    expect(browser.errors.filter((e) => !/the server responded with a status of (400|401|403|404)/.test(e))).toEqual([]);
  }, 120_000);

  it('warns before the session ends, says when, and returns to sign-in once it has ended', async () => {
    // An account whose sessions last 15 minutes (IBM's least); the browser's clock is driven by the test.
    const solo = await newAccount(server);
    const identity = identityClient(server.url, solo.apikey);
    const settings = await identity.getAccountSettings({ accountId: solo.accountId });
    await identity.updateAccountSettings({ accountId: solo.accountId, ifMatch: settings.result.entity_tag!, sessionExpirationInSeconds: '900' });
    const clocked = await openBrowser();
    try {
      const { page } = clocked;
      await page.clock.install();
      await signInWithApiKey(page, url, solo.apikey);
      const warning = page.getByText('Your session ends soon');
      await page.clock.fastForward('05:00');
      expect(await warning.count()).toBe(0);
      // Four minutes before the end: the warning, with the time, and a way to sign in again.
      await page.clock.fastForward('06:00');
      await warning.waitFor();
      await page.getByText(/It ends in about 4 minutes \(/).waitFor();
      await page.getByRole('button', { name: 'Sign in again' }).waitFor();
      await screenshot(page, 'session-expiry-warning');
      expect(await seriousViolations(page)).toEqual([]);
      // A minute before: "1 minute".
      await page.clock.fastForward('03:00');
      await page.getByText(/It ends in about 1 minute \(/).waitFor();
      // Past the end: back to sign-in, saying why.
      await page.clock.fastForward('01:30');
      await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
      await page.getByText('Your session ended. Sign in again to continue.').waitFor();
      expect(clocked.errors).toEqual([]);
    } finally {
      await clocked.close();
    }
  }, 90_000);

  it('warns before an unused session ends, keeps it on "Stay signed in" or on use, and ends it when left unused', async () => {
    // The server's clock and the browser's move together, by hand.
    let shift = 0;
    const shifted = await startTestServer({ clock: { now: () => new Date(Date.now() + shift) } });
    const clocked = await openBrowser();
    try {
      const identity = identityClient(shifted.url, shifted.owner.apikey);
      const settings = await identity.getAccountSettings({ accountId: shifted.owner.accountId });
      await identity.updateAccountSettings({ accountId: shifted.owner.accountId, ifMatch: settings.result.entity_tag!, sessionInvalidationInSeconds: '900' });
      const { page } = clocked;
      await page.clock.install();
      await signInWithApiKey(page, shifted.url, shifted.owner.apikey);
      await page.getByText('No service IDs yet').waitFor(); // the first page's calls are done
      const forward = async (minutes: number) => {
        shift += minutes * 60_000;
        await page.clock.fastForward(minutes * 60_000);
      };
      const warning = page.getByText('Your session ends soon');
      const renewal = () => page.waitForResponse((r) => r.url().endsWith('/signin/session/token') && r.status() === 201);

      // 11 of the 15 minutes unused: the warning, and "Stay signed in" renews the session.
      await forward(11);
      await page.getByText(/Unused, it ends in about 4 minutes \(/).waitFor();
      await screenshot(page, 'session-idle-warning');
      expect(await seriousViolations(page)).toEqual([]);
      const stayed = renewal();
      await page.getByRole('button', { name: 'Stay signed in' }).click();
      await stayed;
      await warning.waitFor({ state: 'detached' });

      // Unused again: the warning; then using the console (a page's API call) renews the session too.
      await forward(11);
      await warning.waitFor();
      const used = renewal();
      await page.getByRole('navigation').getByRole('link', { name: 'API keys', exact: true }).click();
      await used;
      await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
      await warning.waitFor({ state: 'detached' });

      // Left unused past the limit: back to sign-in, saying why.
      await forward(16);
      await page.getByText('Your session ended after a time without use. Sign in again to continue.').waitFor();
      expect(clocked.errors).toEqual([]);
    } finally {
      await clocked.close();
      await shifted.close();
    }
  }, 120_000);
});
