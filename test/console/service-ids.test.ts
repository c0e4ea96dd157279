import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { GOOD_PASSWORD, memberWithPassword, tokenCall } from '../signin/helpers.js';
import { openBrowser, screenshot, seriousViolations, signInWithApiKey, signInWithPassword, skipReason, type ConsoleBrowser } from './browser.js';

describe.skipIf(skipReason)('web console: sign-in (API key, password) and the service IDs page', () => {
  let server: TestServer;
  let browser: ConsoleBrowser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in with an API key and creates, lists, searches, edits, locks and deletes a service ID with an API key shown once', async () => {
    const { page } = browser;
    await signInWithApiKey(page, server.url, server.owner.apikey);
    await page.waitForURL(/\/console\/service-ids$/);
    await page.getByRole('heading', { name: 'Service IDs', level: 1 }).waitFor();
    await page.getByText('No service IDs yet').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Create service ID' }).click();
    await page.getByLabel('Name', { exact: true }).fill('billing-app');
    await page.getByLabel('Description (optional)').fill('Sends the invoices');
    await screenshot(page, 'service-id-create');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'billing-app', level: 1 }).waitFor();
    await page.waitForURL(/\/console\/service-ids\/ServiceId-/);

    // A new API key: its value is shown once, can be downloaded, and signs in.
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('deploy');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const shown = page.getByRole('dialog', { name: 'API key deploy created' });
    await shown.waitFor();
    const value = (await shown.locator('code').innerText()).trim();
    expect(value.length).toBeGreaterThan(20);
    expect((await tokenCall(server.url, { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: value }, null)).status).toBe(200);
    await screenshot(page, 'service-id-apikey-once');
    const [download] = await Promise.all([page.waitForEvent('download'), shown.getByRole('button', { name: 'Download' }).click()]);
    expect(readFileSync(await download.path(), 'utf8').trim()).toBe(value);
    await shown.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('cell', { name: 'deploy', exact: true }).waitFor();
    expect(await page.locator('body').innerText()).not.toContain(value);

    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Name', { exact: true }).fill('billing-service');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'billing-service', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('button', { name: 'Unlock', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByRole('button', { name: 'Lock', exact: true }).waitFor();
    await screenshot(page, 'service-id-detail');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Service IDs' }).first().click();
    await page.getByRole('link', { name: 'billing-service' }).waitFor();
    await page.getByRole('searchbox').fill('zzz');
    await page.getByText('Nothing matches “zzz”').waitFor();
    await page.getByRole('searchbox').fill('billing-service');
    await page.getByRole('link', { name: 'billing-service' }).waitFor();
    await screenshot(page, 'service-ids');

    await page.getByRole('button', { name: /^Actions for ServiceId-/ }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete service ID billing-service?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('searchbox').fill('');
    await page.getByText('No service IDs yet').waitFor();
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it('shows the API refusal with its transaction id, stays signed in across a reload with a password session, and signs out', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    const iamId = await memberWithPassword(server, 'admin@example.com');
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
    await screenshot(page, 'signin');
    expect(await seriousViolations(page)).toEqual([]);

    // A create the API refuses (a name over its limit) shows the API's message and the request's
    // transaction id in the modal, which stays open.
    await signInWithPassword(page, server.url, 'admin@example.com', GOOD_PASSWORD);
    await page.getByText('No service IDs yet').waitFor();
    await page.getByRole('button', { name: 'Create service ID' }).click();
    await page.getByLabel('Name', { exact: true }).fill('x'.repeat(5000));
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const refusal = page.getByRole('dialog').getByRole('alert').filter({ hasText: 'Not done' });
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/transaction ID [\w-]+/);
    await screenshot(page, 'service-id-create-refused');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await policyClient(server.url, server.owner.apikey).createPolicy({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: iamId }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Administrator' }],
      resources: [{ attributes: [{ name: 'accountId', value: server.owner.accountId }, { name: 'serviceName', value: 'iam-identity' }] }],
    });
    // A reload keeps the session (cookie + this tab's CSRF token → a fresh access token in memory).
    await page.reload();
    await page.getByText('No service IDs yet').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
    // The browser logs the refused create's 400 itself; nothing else.
    expect(browser.errors.filter((e) => !/the server responded with a status of 400/.test(e))).toEqual([]);
  }, 120_000);

  it('fits a phone-width screen', async () => {
    const { page } = browser;
    await signInWithApiKey(page, server.url, server.owner.apikey);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByText('No service IDs yet').waitFor();
    await screenshot(page, 'service-ids-phone');
    // Nothing wider than the screen: wide tables scroll inside their container.
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);

    // The menu opened on the phone, then the window widened and narrowed again: the side nav is
    // closed (not over the page), and the menu button says so.
    await page.getByRole('button', { name: 'Open menu' }).click();
    await page.getByRole('button', { name: 'Close menu' }).waitFor();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('heading', { name: 'Service IDs', level: 1 }).click();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Open menu' }).waitFor();
    expect(await page.locator('.cds--side-nav--expanded').count()).toBe(0);
    expect(await page.locator('.cds--side-nav__overlay-active').count()).toBe(0);
    await screenshot(page, 'service-ids-phone-after-resize');
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 60_000);
});
