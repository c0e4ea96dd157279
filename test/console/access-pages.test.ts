import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerOf, newMember, type Identity } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, platformRole, v2Body } from '../security/escalation-fixture.js';
import { openBrowser, screenshot, seriousViolations, signInWithApiKey, skipReason, type ConsoleBrowser } from './browser.js';

/**
 * The console's access pages: assign access end to end (then the Why page and the decision point
 * permit it), a target the signed-in identity may not grant on (not offered), a grant the API
 * refuses after all (its message shown), the audit trail of both, custom roles, and a subject
 * picked among more than 100 service IDs.
 */

const KMS = [{ key: 'serviceName', operator: 'stringEquals' as const, value: 'kms' }];

describe.skipIf(skipReason)('web console: assign access, why, audit, roles', () => {
  let server: TestServer;
  let browser: ConsoleBrowser;
  let owner: string;
  let alice: Identity;
  let kmsAdmin: Identity;
  let adminPolicy: string;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await bearerOf(server.url, server.owner.apikey);
    alice = await newMember(server, server.owner.accountId, { first: 'Alice', last: 'Liddell' });
    kmsAdmin = await newMember(server, server.owner.accountId, { first: 'Kim', last: 'Admin' });
    const granted = await api(server.url, owner, 'POST', '/v2/policies', v2Body(server.owner.accountId, { iam_id: kmsAdmin.iamId }, { name: 'kms', attributes: KMS, matches: () => true }, platformRole('Administrator')));
    expect(granted.status).toBe(201);
    adminPolicy = granted.body.id;
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('assigns a service role on a service step by step, and the Why page and the decision point then permit it', async () => {
    const { page } = browser;
    await signInWithApiKey(page, server.url, server.owner.apikey);
    await page.getByRole('link', { name: 'Assign access' }).first().click();
    await page.getByRole('heading', { name: 'Assign access', level: 1 }).waitFor();

    await page.getByRole('combobox', { name: 'User' }).click();
    await page.getByRole('option', { name: /Alice Liddell/ }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'assign-access-subject');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('combobox', { name: 'Service', exact: true }).click();
    await page.getByRole('option', { name: /\(cloud-object-storage\)/ }).click();
    await page.getByLabel('Resource type (optional)').fill('bucket');
    await page.getByLabel('Resource ID (optional)').fill('invoices');
    await expectEnabled(page, 'Next');
    await page.getByRole('button', { name: 'Next' }).click();

    // Roles with exactly the actions each grants.
    await page.getByText('Service roles').waitFor();
    await page.getByRole('checkbox', { name: 'Reader', exact: true }).check({ force: true });
    await page.locator('.pc-assign-role', { hasText: 'Reader' }).locator('summary').first().click();
    await page.getByText('cloud-object-storage.object.get', { exact: true }).first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'assign-access-roles');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByText('Recurring: on some days of the week').click();
    await page.getByText('Monday').waitFor();
    await screenshot(page, 'assign-access-conditions');
    await page.getByText('Always', { exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('serviceName = cloud-object-storage, resourceType = bucket, resource = invoices').waitFor();
    await screenshot(page, 'assign-access-review');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.getByText('Access assigned').waitFor();

    // The decision point permits it, and the Why page says by which policy.
    const decision = await api(server.url, owner, 'POST', '/v2/authz', [
      {
        subject: { attributes: { id: alice.iamId } },
        action: 'cloud-object-storage.object.get',
        resource: { attributes: { accountId: server.owner.accountId, serviceName: 'cloud-object-storage', resourceType: 'bucket', resource: 'invoices' } },
      },
    ]);
    expect(decision.body.responses[0].authorizationDecision.permitted).toBe(true);
    await page.getByRole('link', { name: 'Check it on the Why page' }).click();
    await page.getByRole('heading', { name: 'Why', level: 1 }).waitFor();
    await page.getByLabel('Resource type (optional)').fill('bucket');
    await page.getByLabel('Resource (optional)').fill('invoices');
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.getByText(`through ${alice.iamId} directly`).waitFor();
    expect(await page.locator('.pc-why-answer').innerText()).toContain('serviceRole:Reader');
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'why-permitted');

    // And why a bucket it does not name is denied.
    await page.getByLabel('Resource (optional)').fill('payroll');
    await page.getByRole('button', { name: 'Ask' }).click();
    await page.locator('.pc-why-answer').getByText('Denied', { exact: true }).first().waitFor();
    await screenshot(page, 'why-denied');
    expect(await page.locator('.pc-why-answer').innerText()).toContain('none matches this cloud-object-storage resource');
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it('offers no roles on a target the identity may not grant on, and shows the API refusal when a grant fails after all', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithApiKey(page, server.url, kmsAdmin.apikey);
    await page.getByRole('link', { name: 'Assign access' }).first().click();
    await page.getByRole('combobox', { name: 'User' }).click();
    await page.getByRole('option', { name: /Alice Liddell/ }).click();
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('combobox', { name: 'Service', exact: true }).click();
    await page.getByRole('option', { name: /\(cloud-object-storage\)/ }).click();
    await page.getByText('You cannot assign access here').waitFor();
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await screenshot(page, 'assign-access-not-grantable');

    await page.getByRole('combobox', { name: 'Service', exact: true }).fill('kms');
    await page.getByRole('option', { name: /\(kms\)/ }).click();
    await expectEnabled(page, 'Next');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('checkbox', { name: 'Viewer', exact: true }).check({ force: true });
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();

    // The owner takes the administrator's access away before the grant is sent.
    expect((await api(server.url, owner, 'DELETE', `/v2/policies/${adminPolicy}`)).status).toBe(204);
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The access was not assigned' });
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/not authorized/i);
    expect(await refusal.innerText()).toMatch(/transaction ID/);
    await screenshot(page, 'assign-access-refused');
    expect(await seriousViolations(page)).toEqual([]);
    // The browser logs the refused request itself (a 403); nothing else went wrong.
    expect(browser.errors.filter((e) => !/403/.test(e))).toEqual([]);
    browser.errors.length = 0;
  }, 120_000);

  it('shows the audit trail, the refused grant among the failures', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInWithApiKey(page, server.url, server.owner.apikey);
    await page.getByRole('link', { name: 'Audit' }).first().click();
    await page.getByRole('heading', { name: 'Audit events', level: 1 }).waitFor();
    await page.getByText('iam.policy.create', { exact: true }).first().waitFor();
    await page.getByRole('combobox', { name: 'Outcome' }).click();
    await page.getByRole('option', { name: 'Failure' }).click();
    await page.getByLabel('Initiator IAM ID').fill(kmsAdmin.iamId);
    await page.getByText(/insufficent_permissions/).first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'audit');
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('lists roles with their actions, filters them, and creates, edits and deletes a custom role', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Roles' }).first().click();
    await page.getByRole('heading', { name: 'Roles', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'Administrator', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create custom role' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a custom role' });
    await dialog.getByRole('combobox', { name: 'Service', exact: true }).fill('cloud-object-storage');
    await page.getByRole('option', { name: /\(cloud-object-storage\)/ }).click();
    await dialog.getByLabel('Name', { exact: true }).fill('BucketAuditor');
    await dialog.getByLabel('Display name').fill('Bucket auditor');
    await dialog.getByText('cloud-object-storage.bucket.get', { exact: true }).click();
    await screenshot(page, 'roles-create');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('cell', { name: 'Bucket auditor', exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'roles');

    await page.getByRole('button', { name: /^Actions for crn:.*customRole:BucketAuditor/ }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: /Edit custom role/ });
    await edit.getByLabel('Display name').fill('Bucket reviewer');
    await edit.getByRole('button', { name: 'Save' }).click();
    await screenshot(page, 'roles-edit-saved');
    await page.getByRole('cell', { name: 'Bucket reviewer', exact: true }).waitFor();

    // The search filters by role name or action.
    const search = page.getByRole('searchbox', { name: 'Filter by role name or action' });
    await search.fill('bucket.get');
    await page.getByRole('cell', { name: 'Administrator', exact: true }).waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'Bucket reviewer', exact: true }).waitFor();
    await search.fill('');
    await page.getByRole('cell', { name: 'Administrator', exact: true }).waitFor();

    await page.getByRole('button', { name: /^Actions for crn:.*customRole:BucketAuditor/ }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: /Delete custom role/ }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('cell', { name: 'Bucket reviewer', exact: true }).waitFor({ state: 'detached' });
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('picks any of more than 100 service IDs: a full name looked up by the API, a partial one among pages loaded on demand', async () => {
    const { page } = browser;
    await signInWithApiKey(page, server.url, server.owner.apikey);
    const names = Array.from({ length: 130 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
    for (const name of names) {
      expect((await api(server.url, owner, 'POST', '/v1/serviceids', { account_id: server.owner.accountId, name })).status).toBe(201);
    }
    await page.getByRole('link', { name: 'Assign access' }).first().click();
    await page.getByRole('heading', { name: 'Assign access', level: 1 }).waitFor();
    await page.getByText('Service ID', { exact: true }).click();
    const picker = page.getByRole('combobox', { name: 'Service ID', exact: true });
    await page.getByText('100 service IDs loaded, more exist').waitFor();

    // Which 30 the first page left out depends on the API's order; the look-up finds one of them by name.
    const shown = async () => {
      await picker.click();
      const options = await page.getByRole('option').allInnerTexts();
      await page.keyboard.press('Escape');
      return options.map((o) => o.trim());
    };
    const firstPage = await shown();
    expect(firstPage).toHaveLength(100);
    const missing = names.find((n) => !firstPage.includes(n))!;
    await picker.fill(missing);
    await page.getByRole('option', { name: missing, exact: true }).click();
    await expectEnabled(page, 'Next');

    // Loading the next page makes all 130 filterable in the browser.
    await picker.fill('');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Load more service IDs' }).click();
    await page.getByText('All 130 service IDs loaded').waitFor();
    await picker.fill('bulk-12');
    await page.getByRole('option', { name: 'bulk-129', exact: true }).waitFor();
    expect(await page.getByRole('option').count()).toBe(10);
    await screenshot(page, 'assign-access-many-subjects');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('option', { name: 'bulk-129', exact: true }).click();
    await expectEnabled(page, 'Next');

    // On a phone-width screen the picker and its "Load more" fit.
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'assign-access-phone');
    expect((await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(browser.errors).toEqual([]);
  }, 120_000);
});

async function expectEnabled(page: ConsoleBrowser['page'], name: string) {
  for (let i = 0; i < 50; i++) {
    if (!(await page.getByRole('button', { name }).isDisabled())) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`button ${name} stays disabled`);
}
