import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerOf } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api } from '../security/escalation-fixture.js';
import { openBrowser, screenshot, seriousViolations, signInWithApiKey, skipReason, type ConsoleBrowser } from './browser.js';

/**
 * The console's other access pages, each's main task: settings (identity settings saved with
 * If-Match; a network zone created, edited, deleted; a restriction rule created and edited with
 * its ETag, a stale edit refused), trusted profiles (a profile with a claim rule, a link and an
 * identity), authorizations (service to service), enterprise (the tree).
 */

describe.skipIf(skipReason)('web console: settings, trusted profiles, authorizations, enterprise', () => {
  let server: TestServer;
  let browser: ConsoleBrowser;
  let owner: string;

  beforeAll(async () => {
    server = await startTestServer();
    owner = await bearerOf(server.url, server.owner.apikey);
    browser = await openBrowser();
    await signInWithApiKey(browser.page, server.url, server.owner.apikey);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (nav: string, heading: string) => {
    await browser.page.getByRole('link', { name: nav, exact: true }).first().click();
    await browser.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };

  it('saves the account identity settings and manages a network zone', async () => {
    const { page } = browser;
    await open('Settings', 'Settings');
    await page.getByLabel('Session inactivity (seconds)').fill('1800');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved.').waitFor();
    const settings = await api(server.url, owner, 'GET', `/v1/accounts/${server.owner.accountId}/settings/identity`);
    expect(settings.body.session_invalidation_in_seconds).toBe('1800');

    await page.getByRole('button', { name: 'Create zone' }).click();
    const create = page.getByRole('dialog', { name: 'Create a network zone' });
    await create.getByRole('textbox', { name: 'Name', exact: true }).fill('office');
    await create.getByLabel('Addresses').fill('192.0.2.0/24, 198.51.100.7');
    await create.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('cell', { name: 'office', exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'settings');

    await page.getByRole('button', { name: /^Actions for / }).first().click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit zone office' });
    await edit.getByLabel('Addresses').fill('203.0.113.0/24');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: '203.0.113.0/24' }).waitFor();
    await page.getByRole('button', { name: /^Actions for / }).first().click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete zone office?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No network zones').waitFor();
    expect(browser.errors).toEqual([]);
  }, 90_000);

  it('creates and edits a restriction rule (zones, operations, enforcement) with its ETag, and says so when someone changed it meanwhile', async () => {
    const { page } = browser;
    const account = server.owner.accountId;
    for (const [name, value] of [['branch', '192.0.2.0/24'], ['vpn', '198.51.100.0/24']]) {
      expect((await api(server.url, owner, 'POST', '/v1/zones', { name, account_id: account, addresses: [{ type: 'subnet', value }] })).status).toBe(201);
    }
    await open('Users', 'Users');
    await open('Settings', 'Settings');
    const rules = page.getByRole('region', { name: 'Restriction rules' });
    await rules.getByRole('button', { name: 'Create rule' }).click();
    const create = page.getByRole('dialog', { name: 'Create a restriction rule' });
    await create.getByText('branch', { exact: true }).click();
    await create.getByRole('combobox', { name: 'Service', exact: true }).fill('cloud-object-storage');
    await page.getByRole('option', { name: /\(cloud-object-storage\)/ }).click();
    await create.getByText(/^Report only/).click();
    await create.getByLabel('Description (optional)').fill('storage from the branch');
    await create.getByRole('button', { name: 'Create', exact: true }).click();
    const row = rules.getByRole('row').filter({ hasText: 'cloud-object-storage' });
    await row.getByText('report', { exact: true }).waitFor();
    expect(await row.innerText()).toContain('branch');
    const [rule] = (await api(server.url, owner, 'GET', `/v1/rules?account_id=${account}`)).body.rules;

    const zoneId = async (name: string) =>
      (await api(server.url, owner, 'GET', `/v1/zones?account_id=${account}`)).body.zones.find((z: { name: string }) => z.name === name).id as string;
    const [branch, vpn] = [await zoneId('branch'), await zoneId('vpn')];
    expect(rule.contexts).toEqual([{ attributes: [{ name: 'networkZoneId', value: branch }] }]);

    // Edit: a second zone in the context, a second context (private endpoints from anywhere), one operation, enforced.
    await row.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: `Edit rule ${rule.id}` });
    const context = (n: number) => edit.getByRole('group', { name: `Context ${n}`, exact: true });
    expect(await edit.getByRole('button', { name: 'Remove context 1' }).isDisabled()).toBe(true);
    await context(1).getByText('vpn', { exact: true }).click();
    await edit.getByRole('button', { name: 'Add context' }).click();
    expect(await edit.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true); // a context needs a zone or an endpoint type
    await context(2).getByText('Private', { exact: true }).click();
    await edit.getByText(/^Management: /).click();
    await edit.getByText(/^Enforced/).click();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'settings-rule-edit');
    await edit.getByRole('button', { name: 'Save' }).click();
    await row.getByText('enabled', { exact: true }).waitFor();
    expect(await row.innerText()).toContain('branch, vpn; or private endpoints');
    let edited = (await api(server.url, owner, 'GET', `/v1/rules/${rule.id}`)).body;
    expect(edited.contexts).toEqual([
      { attributes: [{ name: 'networkZoneId', value: `${branch},${vpn}` }] },
      { attributes: [{ name: 'endpointType', value: 'private' }] },
    ]);
    expect(edited.operations.api_types).toHaveLength(1);
    expect(edited.description).toBe('storage from the branch');

    // Edit again: the first context removed, the remaining one narrowed to the branch over private endpoints.
    await row.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await expect.poll(() => context(2).getByRole('checkbox', { name: 'Private' }).isChecked()).toBe(true);
    await edit.getByRole('button', { name: 'Remove context 1' }).click();
    await context(1).getByText('branch', { exact: true }).click();
    expect(await edit.getByRole('button', { name: 'Remove context 1' }).isDisabled()).toBe(true);
    await edit.getByRole('button', { name: 'Save' }).click();
    await row.getByText('branch over private endpoints').waitFor();
    edited = (await api(server.url, owner, 'GET', `/v1/rules/${rule.id}`)).body;
    expect(edited.contexts).toEqual([{ attributes: [{ name: 'networkZoneId', value: branch }, { name: 'endpointType', value: 'private' }] }]);

    // Someone else changes the rule while the editor is open: the save is refused (412) and said so.
    await row.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await edit.getByText(/^Disabled/).click();
    const meanwhile = { description: 'changed by someone else', contexts: edited.contexts, resources: edited.resources, operations: edited.operations, enforcement_mode: edited.enforcement_mode };
    expect((await api(server.url, owner, 'PUT', `/v1/rules/${rule.id}`, meanwhile, { 'If-Match': '*' })).status).toBe(200);
    await edit.getByRole('button', { name: 'Save' }).click();
    const refusal = edit.getByRole('alert').filter({ hasText: 'Someone changed this rule after you opened it' });
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/transaction ID/);
    await screenshot(page, 'settings-rule-stale');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    const after = (await api(server.url, owner, 'GET', `/v1/rules/${rule.id}`)).body;
    expect([after.description, after.enforcement_mode]).toEqual(['changed by someone else', 'enabled']);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'settings-phone');
    expect((await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    // The browser logs the refused request itself (a 412); nothing else went wrong.
    expect(browser.errors.filter((e) => !/412/.test(e))).toEqual([]);
    browser.errors.length = 0;
  }, 120_000);

  it('creates and edits a trusted profile, with a claim rule (edited, a stale edit refused), a compute-resource link and an identity that may assume it', async () => {
    const { page } = browser;
    await open('Trusted profiles', 'Trusted profiles');
    await page.getByRole('button', { name: 'Create trusted profile' }).click();
    await page.getByLabel('Name', { exact: true }).fill('ci-runner');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'ci-runner', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByRole('dialog', { name: 'Edit ci-runner' }).getByLabel('Description').fill('Builds in the CI cluster');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.pc-description').getByText('Builds in the CI cluster').waitFor();

    await page.getByRole('button', { name: 'Add claim rule' }).click();
    const rule = page.getByRole('dialog', { name: 'Add a claim rule' });
    const condition = (dialog: typeof rule, n: number) => dialog.getByRole('group', { name: `Condition ${n}` });
    await condition(rule, 1).getByRole('textbox', { name: 'Claim' }).fill('namespace');
    await condition(rule, 1).getByRole('textbox', { name: 'Value' }).fill('builds');
    // A second condition, an IN list (JSON, sent as it is typed).
    await rule.getByRole('button', { name: 'Add condition' }).click();
    await condition(rule, 2).getByRole('textbox', { name: 'Claim' }).fill('name');
    await condition(rule, 2).getByRole('combobox', { name: 'Operator' }).selectOption('IN');
    await condition(rule, 2).getByRole('textbox', { name: 'Value' }).fill('["deployer","tester"]');
    await screenshot(page, 'trusted-profile-claim-rule');
    expect(await seriousViolations(page)).toEqual([]);
    await rule.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('cell', { name: 'namespace EQUALS "builds" and name IN ["deployer","tester"]' }).waitFor();
    const profileId = new URL(page.url()).pathname.split('/').pop()!;
    const claimRuleOf = async () => (await api(server.url, owner, 'GET', `/v1/profiles/${profileId}/rules`)).body.rules[0];
    expect((await claimRuleOf()).conditions).toEqual([
      { claim: 'namespace', operator: 'EQUALS', value: '"builds"' },
      { claim: 'name', operator: 'IN', value: '["deployer","tester"]' },
    ]);

    // Edit the claim rule (saved with its ETag): the second condition changed, the first removed.
    const rules = page.getByRole('region', { name: 'Trust relationship: claim rules' });
    await rules.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const editRule = page.getByRole('dialog', { name: /^Edit claim rule / });
    expect(await condition(editRule, 1).getByRole('textbox', { name: 'Value' }).inputValue()).toBe('builds');
    expect(await condition(editRule, 2).getByRole('textbox', { name: 'Value' }).inputValue()).toBe('["deployer","tester"]');
    await condition(editRule, 2).getByRole('combobox', { name: 'Operator' }).selectOption('NOT_IN');
    await editRule.getByRole('button', { name: 'Remove condition 1' }).click();
    await editRule.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'name NOT_IN ["deployer","tester"]', exact: true }).waitFor();
    expect((await claimRuleOf()).conditions).toEqual([{ claim: 'name', operator: 'NOT_IN', value: '["deployer","tester"]' }]);
    await rules.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await condition(editRule, 1).getByRole('combobox', { name: 'Operator' }).selectOption('EQUALS');
    await condition(editRule, 1).getByRole('textbox', { name: 'Value' }).fill('releases');
    await editRule.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'name EQUALS "releases"' }).waitFor();
    // Then a stale edit is refused (412) and said so.
    const claimRule = await claimRuleOf();
    await rules.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await condition(editRule, 1).getByRole('textbox', { name: 'Value' }).fill('nightly');
    const { type, cr_type, conditions } = claimRule;
    expect((await api(server.url, owner, 'PUT', `/v1/profiles/${profileId}/rules/${claimRule.id}`, { type, cr_type, conditions, name: 'renamed' }, { 'If-Match': '*' })).status).toBe(200);
    await editRule.getByRole('button', { name: 'Save' }).click();
    await editRule.getByRole('alert').filter({ hasText: 'Someone changed this claim rule after you opened it' }).waitFor();
    await editRule.getByRole('button', { name: 'Cancel' }).click();
    expect((await api(server.url, owner, 'GET', `/v1/profiles/${profileId}/rules/${claimRule.id}`)).body.conditions[0].value).toBe('"releases"');
    expect(browser.errors.filter((e) => !/412/.test(e))).toEqual([]);
    browser.errors.length = 0;

    await page.getByRole('button', { name: 'Link a compute resource' }).click();
    const link = page.getByRole('dialog', { name: 'Link a compute resource' });
    await link.getByRole('textbox', { name: 'CRN of the compute resource' }).fill(`crn:v1:bluemix:public:is:us-south:a/${server.owner.accountId}::instance:runner-1`);
    await link.getByRole('button', { name: 'Link', exact: true }).click();
    await page.getByText('::instance:runner-1').waitFor();

    await page.getByRole('button', { name: 'Add identity' }).click();
    const identity = page.getByRole('dialog', { name: 'Add an identity that may assume the profile' });
    await identity.getByRole('textbox', { name: 'Identifier' }).fill(server.owner.iamId);
    await identity.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('cell', { name: server.owner.iamId, exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'trusted-profile');
    expect(browser.errors).toEqual([]);
  }, 90_000);

  it('creates, edits the roles of and deletes a service-to-service authorization', async () => {
    const { page } = browser;
    await open('Authorizations', 'Authorizations');
    await page.getByRole('button', { name: 'Create authorization' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an authorization' });
    await dialog.getByRole('combobox', { name: 'Source service' }).fill('containers-kubernetes');
    await page.getByRole('option', { name: /\(containers-kubernetes\)/ }).click();
    await dialog.getByRole('combobox', { name: 'Target service' }).fill('kms');
    await page.getByRole('option', { name: /\(kms\)/ }).click();
    await dialog.getByText(/^Reader \(/).click();
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('cell', { name: 'containers-kubernetes', exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'authorizations');

    // Edit its roles: the editor shows the current one chosen; a second one is added.
    await page.getByRole('button', { name: /^Actions for / }).first().click();
    await page.getByRole('menuitem', { name: 'Edit roles' }).click();
    const edit = page.getByRole('dialog', { name: "Edit the authorization's roles" });
    await edit.getByText('containers-kubernetes → kms').waitFor();
    expect(await edit.getByRole('checkbox', { name: /^Reader \(/ }).isChecked()).toBe(true);
    await edit.getByText(/^Writer \(/).click();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'authorization-edit');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    const [authorization] = (await api(server.url, owner, 'GET', `/v2/policies?account_id=${server.owner.accountId}&type=authorization`)).body.policies;
    expect(authorization.control.grant.roles).toHaveLength(2);

    await page.getByRole('button', { name: /^Actions for / }).first().click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: /Delete authorization/ }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No authorizations').waitFor();
    expect(browser.errors).toEqual([]);
  }, 90_000);

  it('shows the enterprise tree of an enterprise account', async () => {
    const { page } = browser;
    const enterprise = await api(server.url, owner, 'POST', '/v1/enterprises', { source_account_id: server.owner.accountId, name: 'Acme', primary_contact_iam_id: server.owner.iamId });
    expect(enterprise.status).toBeLessThan(300);
    const crn = `crn:v1:bluemix:public:enterprise::a/${server.owner.accountId}::enterprise:${enterprise.body.enterprise_id}`;
    const group = await api(server.url, owner, 'POST', '/v1/account-groups', { parent: crn, name: 'Engineering', primary_contact_iam_id: server.owner.iamId });
    expect(group.status).toBeLessThan(300);
    await open('Enterprise', 'Enterprise');
    await page.getByText('Acme', { exact: true }).first().waitFor();
    await page.getByText('Engineering').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'enterprise');
    expect(browser.errors).toEqual([]);
  }, 60_000);
});
