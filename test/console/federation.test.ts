import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../security/escalation-fixture.js';
import { federationConfig } from '../federation/helpers.js';
import { bearerOf, newMember, type Identity } from '../helpers/identities.js';
import { startTestOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { startTestSamlIdp, type TestSamlIdp } from '../helpers/saml-idp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { openBrowser, screenshot, seriousViolations, skipReason, type ConsoleBrowser } from './browser.js';

/**
 * Federated sign-in in the console: the sign-in page of `?account=` offers the account's identity
 * providers; the test OIDC provider signs the person in at once and the server lands the browser on
 * the choice page, where they continue as the account member or as a trusted profile whose
 * Profile-SAML rule matched their claims.
 */
describe.skipIf(skipReason)('web console: federated sign-in', () => {
  let server: TestServer;
  let provider: TestOidcProvider;
  let samlIdp: TestSamlIdp;
  let browser: ConsoleBrowser;
  let accountId: string;
  let member: Identity;
  let profile: { id: string; iam_id: string };

  beforeAll(async () => {
    server = await startTestServer({ config: federationConfig() });
    provider = await startTestOidcProvider();
    // The SAML IdP vouches for a contractor who is no member: only the profile is open to them.
    samlIdp = await startTestSamlIdp({ person: { nameId: 'contractor@partner.example.com', attributes: { email: 'contractor@partner.example.com', groups: ['ops'] } } });
    browser = await openBrowser();
    accountId = server.owner.accountId;
    const owner = await bearerOf(server.url, server.owner.apikey);
    member = await newMember(server, accountId);
    provider.person = { sub: 'u-7', claims: { email: `${member.iamId.toLowerCase()}@example.com`, name: 'Fed Erated', groups: ['ops'] } };
    const idp = await api(server.url, owner, 'POST', '/v1/identity_providers', {
      account_id: accountId,
      name: 'Corporate OIDC',
      protocol: 'oidc',
      issuer: provider.issuer,
      client_id: provider.clientId,
      client_secret: provider.clientSecret,
    });
    expect(idp.status).toBe(201);
    const created = await api(server.url, owner, 'POST', '/v1/profiles', { account_id: accountId, name: 'Operator on call', description: 'Runs the night shift' });
    profile = created.body;
    const rule = await api(server.url, owner, 'POST', `/v1/profiles/${profile.id}/rules`, {
      type: 'Profile-SAML',
      realm_name: provider.issuer,
      expiration: 7200,
      conditions: [{ claim: 'groups', operator: 'CONTAINS', value: '"ops"' }],
    });
    expect(rule.status).toBe(201);
    const saml = await api(server.url, owner, 'POST', '/v1/identity_providers', { account_id: accountId, name: 'Partner SAML', protocol: 'saml', metadata_xml: samlIdp.metadataXml });
    expect(saml.status).toBe(201);
    const samlRule = await api(server.url, owner, 'POST', `/v1/profiles/${profile.id}/rules`, {
      type: 'Profile-SAML',
      realm_name: samlIdp.entityId,
      expiration: 3600,
      conditions: [{ claim: 'groups', operator: 'CONTAINS', value: '"ops"' }],
    });
    expect(samlRule.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await provider?.close();
    await samlIdp?.close();
    await server?.close();
  });

  /** From the sign-in page of the account, through the provider, to the choice page. */
  async function throughProvider(name = 'Corporate OIDC') {
    const { page } = browser;
    await page.goto(`${server.url}/console/?account=${accountId}`);
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
    await page.getByRole('link', { name }).click();
    await page.getByRole('heading', { name: 'Choose how to sign in' }).waitFor();
    await page.getByRole('button', { name: 'Continue' }).waitFor();
  }

  const whoami = () => browser.page.locator('.pc-whoami');

  it('shows the account\'s provider on its sign-in page, and none without ?account=', async () => {
    const { page } = browser;
    await page.goto(`${server.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
    await page.getByRole('tab', { name: 'Password' }).waitFor();
    expect(await page.getByText('Or sign in with').count()).toBe(0);
    await page.goto(`${server.url}/console/?account=${accountId}`);
    await page.getByRole('link', { name: 'Corporate OIDC' }).waitFor();
    await page.getByRole('link', { name: 'Partner SAML' }).waitFor();
    await screenshot(page, 'signin-identity-providers');
    expect(await seriousViolations(page)).toEqual([]);
  }, 60_000);

  it('signs in as the account member through the provider, the ticket gone from the address bar', async () => {
    const { page } = browser;
    await throughProvider();
    // The ticket was read once and removed from the URL (and so from the history).
    expect(new URL(page.url()).search).toBe('');
    expect(new URL(page.url()).pathname).toBe('/console/federation');
    await page.getByText('As Fed Erated (u-7)').waitFor();
    await page.getByText('Operator on call — Runs the night shift (trusted profile, session up to 2 hours)').waitFor();
    await screenshot(page, 'federation-choice');
    expect(await seriousViolations(page)).toEqual([]);
    // The member is preselected.
    expect(await page.getByRole('radio', { name: /Continue without a profile/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await whoami().getAttribute('title')).toBe(member.iamId);
    await page.waitForURL(/\/console\/service-ids$/);
    // A reload keeps the federated session.
    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await whoami().getAttribute('title')).toBe(member.iamId);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
  }, 90_000);

  it('signs in as the trusted profile chosen', async () => {
    const { page } = browser;
    await throughProvider();
    await page.getByText(/^Operator on call/).click();
    expect(await page.getByRole('radio', { name: /Operator on call/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await whoami().getAttribute('title')).toBe(profile.iam_id);
    expect(await whoami().innerText()).toContain('Operator on call');
    await screenshot(page, 'federation-signed-in-as-profile');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
  }, 90_000);

  it('signs a non-member in through the SAML provider, offered only the profile their claims match', async () => {
    const { page } = browser;
    await throughProvider('Partner SAML');
    await page.getByText('As contractor@partner.example.com').waitFor();
    expect(await page.getByRole('radio', { name: /Continue without a profile/ }).count()).toBe(0);
    expect(await page.getByRole('radio', { name: /Operator on call/ }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await whoami().getAttribute('title')).toBe(profile.iam_id);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
  }, 90_000);

  it('says clearly when the ticket is spent, unknown or missing, with a way back to sign-in', async () => {
    const { page } = browser;
    for (const search of ['?ticket=spent-or-never-issued', '']) {
      await page.goto(`${server.url}/console/federation${search}`);
      await page.getByText('This sign-in can no longer be used').waitFor();
      expect(await page.getByRole('button', { name: 'Continue' }).count()).toBe(0);
    }
    await page.goto(`${server.url}/console/federation?ticket=spent-or-never-issued`);
    await page.getByText(/already used or expired/).waitFor();
    await screenshot(page, 'federation-ticket-refused');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Back to sign-in' }).click();
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
    // The browser logs the refused calls itself (the bad ticket's 400, a 401 when the console asks
    // whether the session the earlier tests left still lives, the member's 403s on pages without a
    // role, the test SAML IdP's missing favicon on its auto-posting page); nothing else.
    expect(browser.errors.filter((e) => !/the server responded with a status of (400|401|403|404)/.test(e))).toEqual([]);
  }, 60_000);
});
