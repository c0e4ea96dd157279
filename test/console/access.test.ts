import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerOf } from '../helpers/identities.js';
import { identityClient } from '../helpers/sdk.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api } from '../security/escalation-fixture.js';
import { memberWithPassword, tokenCall } from '../signin/helpers.js';
import { openBrowser, screenshot, seriousViolations, signInWithApiKey, skipReason, type ConsoleBrowser } from './browser.js';

describe.skipIf(skipReason)('web console: my API keys, users and access groups', () => {
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

  const nav = async (label: string, heading: string) => {
    await browser.page.getByRole('navigation').getByRole('link', { name: label, exact: true }).click();
    await browser.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };

  it('creates one of my API keys (value shown once), edits and deletes it', async () => {
    const { page } = browser;
    await nav('API keys', 'API keys');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('laptop');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const shown = page.getByRole('dialog', { name: 'API key laptop created' });
    const value = (await shown.locator('code').innerText()).trim();
    expect((await tokenCall(server.url, { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: value }, null)).status).toBe(200);
    await shown.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('cell', { name: 'laptop', exact: true }).waitFor();
    await page.getByRole('row').filter({ hasText: 'laptop' }).getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await page.getByRole('dialog', { name: 'Edit API key laptop' }).getByLabel('Description').fill('my work laptop');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'my work laptop', exact: true }).waitFor();
    // The search filters the page shown.
    const search = page.getByRole('searchbox', { name: 'Filter the page shown by name, description or ID' });
    await search.fill('desktop');
    await page.getByText('Nothing matches “desktop”').waitFor();
    await search.fill('WORK');
    await page.getByRole('cell', { name: 'laptop', exact: true }).waitFor();
    await search.fill('');
    await screenshot(page, 'api-keys');
    expect(await seriousViolations(page)).toEqual([]);

    const row = page.getByRole('row').filter({ hasText: 'laptop' });
    await row.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete API key laptop?' }).getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await tokenCall(server.url, { grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: value }, null)).status).toBe(400);
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it('creates an access group, invites a user into it, changes a state, removes a user, manages members and rules, and deletes the group', async () => {
    const { page } = browser;
    await memberWithPassword(server, 'active.member@example.com');
    await identityClient(server.url, server.owner.apikey).createServiceId({ accountId: server.owner.accountId, name: 'reporter' });

    await nav('Access groups', 'Access groups');
    await page.getByRole('button', { name: 'Create access group' }).click();
    await page.getByLabel('Name', { exact: true }).fill('auditors');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: 'auditors', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Name', { exact: true }).fill('security-auditors');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'security-auditors', level: 1 }).waitFor();

    // Users: invite into the group; change an active user's state; remove the invited one.
    await nav('Users', 'Users');
    await page.getByRole('cell', { name: 'active.member@example.com' }).first().waitFor();
    await page.getByRole('button', { name: 'Invite users' }).click();
    await page.getByLabel('E-mail addresses').fill('new.person@example.com');
    await page.getByRole('combobox', { name: /Access groups/ }).click();
    await page.getByRole('option', { name: 'security-auditors' }).click();
    await page.getByRole('heading', { name: 'Invite users' }).click();
    // The picked group is listed as chosen (the picker pages through all of the account's groups).
    await page.getByRole('list', { name: 'Chosen access groups' }).getByText('security-auditors').waitFor();
    await page.getByText('1 access group loaded, the only one.').waitFor(); // Public Access takes no members: not offered
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'users-invite');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const invited = page.getByRole('row').filter({ hasText: 'new.person@example.com' });
    await invited.getByText('Invited').waitFor();

    const active = page.getByRole('row').filter({ hasText: 'active.member@example.com' });
    await active.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Change state' }).click();
    await page.getByRole('dialog').getByRole('combobox', { name: 'State', exact: true }).selectOption('VPN_ONLY');
    await page.getByRole('button', { name: 'Save' }).click();
    await active.getByText('VPN only').waitFor();
    await screenshot(page, 'users');
    expect(await seriousViolations(page)).toEqual([]);

    // Sort by e-mail (the page shown): ascending, then descending.
    const emailOrder = async () => (await page.getByRole('row').allInnerTexts()).map((text) => text.match(/\S+@\S+/)?.[0]).filter((e) => e === 'active.member@example.com' || e === 'new.person@example.com');
    await page.getByRole('button', { name: 'E-mail' }).click();
    await expect.poll(emailOrder).toEqual(['active.member@example.com', 'new.person@example.com']);
    await page.getByRole('button', { name: 'E-mail' }).click();
    await expect.poll(emailOrder).toEqual(['new.person@example.com', 'active.member@example.com']);

    // The invited user's detail page: state, e-mail, the invitation's group; remove (asks first).
    await invited.getByRole('link').click();
    await page.getByLabel('User details').getByText('Invited').waitFor();
    await page.getByRole('region', { name: 'Access groups' }).getByRole('link', { name: 'security-auditors' }).waitFor();
    await page.getByRole('region', { name: 'Access policies' }).getByText('No direct access').waitFor();
    await screenshot(page, 'user-detail');
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'user-detail-phone');
    expect((await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog', { name: /^Delete user / }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.getByRole('cell', { name: 'active.member@example.com' }).first().waitFor();
    await invited.waitFor({ state: 'detached' });

    // The group: members of two kinds, a dynamic rule; then remove, delete.
    await nav('Access groups', 'Access groups');
    await page.getByRole('link', { name: 'security-auditors' }).click();
    await page.getByRole('heading', { name: 'security-auditors', level: 1 }).waitFor();
    for (const [kind, label, pick] of [
      ['user', 'User', 'active.member@example.com'],
      ['service', 'Service ID', 'reporter'],
    ] as const) {
      await page.getByRole('button', { name: 'Add members' }).click();
      await page.getByRole('dialog').getByRole('combobox', { name: 'Kind', exact: true }).selectOption(kind);
      await page.getByRole('combobox', { name: label, exact: true }).click();
      await page.getByRole('option', { name: new RegExp(pick) }).click();
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    }
    const members = page.getByRole('region', { name: 'Members' });
    await members.getByRole('cell', { name: 'reporter' }).waitFor();
    await members.getByRole('cell', { name: 'Service ID' }).waitFor();
    await members.getByRole('cell', { name: 'User', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('dialog').getByLabel('Name (optional)').fill('engineers');
    await page.getByRole('dialog').getByLabel('Identity provider (realm)').fill('https://idp.example.com');
    await page.getByRole('dialog').getByLabel('Claim').fill('groups');
    await page.getByRole('dialog').getByLabel('Value', { exact: true }).fill('engineering');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const rules = page.getByRole('region', { name: 'Dynamic rules' });
    await rules.getByRole('cell', { name: 'groups EQUALS engineering' }).waitFor();
    // Edit the rule (read with its ETag when the editor opens, saved with If-Match).
    await rules.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    const editRule = page.getByRole('dialog', { name: 'Edit rule engineers' });
    const condition = (n: number) => editRule.getByRole('group', { name: `Condition ${n}` });
    await expect.poll(() => condition(1).getByLabel('Value', { exact: true }).inputValue()).toBe('engineering');
    // The only condition cannot be removed; a second one is added, and both are saved.
    expect(await editRule.getByRole('button', { name: 'Remove condition 1' }).isDisabled()).toBe(true);
    await condition(1).getByLabel('Value', { exact: true }).fill('platform');
    await editRule.getByRole('button', { name: 'Add condition' }).click();
    await condition(2).getByLabel('Claim').fill('department');
    await condition(2).getByLabel('Operator').selectOption('EQUALS_IGNORE_CASE');
    await condition(2).getByLabel('Value', { exact: true }).fill('Ops');
    await screenshot(page, 'access-group-rule-conditions');
    expect(await seriousViolations(page)).toEqual([]);
    await editRule.getByRole('button', { name: 'Save' }).click();
    await rules.getByRole('cell', { name: 'groups EQUALS platform and department EQUALS_IGNORE_CASE Ops' }).waitFor();
    await screenshot(page, 'access-group-detail');
    expect(await seriousViolations(page)).toEqual([]);
    const groupId = new URL(page.url()).pathname.split('/').pop()!;
    const ruleOf = async () => (await api(server.url, owner, 'GET', `/v2/groups/${groupId}/rules`)).body.rules[0];
    expect((await ruleOf()).conditions).toEqual([
      { claim: 'groups', operator: 'EQUALS', value: 'platform' },
      { claim: 'department', operator: 'EQUALS_IGNORE_CASE', value: 'Ops' },
    ]);
    // The first condition removed: the rule keeps only the second.
    await rules.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await expect.poll(() => condition(2).getByLabel('Value', { exact: true }).inputValue()).toBe('Ops');
    await editRule.getByRole('button', { name: 'Remove condition 1' }).click();
    expect(await editRule.getByRole('group', { name: /^Condition / }).count()).toBe(1);
    expect(await editRule.getByRole('button', { name: 'Remove condition 1' }).isDisabled()).toBe(true);
    await editRule.getByRole('button', { name: 'Save' }).click();
    await rules.getByRole('cell', { name: 'department EQUALS_IGNORE_CASE Ops', exact: true }).waitFor();
    expect((await ruleOf()).conditions).toEqual([{ claim: 'department', operator: 'EQUALS_IGNORE_CASE', value: 'Ops' }]);
    // Someone changes the rule while the editor is open: the save is refused (412) and said so.
    await rules.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await expect.poll(() => condition(1).getByLabel('Value', { exact: true }).inputValue()).toBe('Ops');
    await condition(1).getByLabel('Value', { exact: true }).fill('Security');
    const current = await ruleOf();
    const meanwhile = { name: current.name, realm_name: current.realm_name, expiration: 6, conditions: current.conditions };
    expect((await api(server.url, owner, 'PUT', `/v2/groups/${groupId}/rules/${current.id}`, meanwhile, { 'If-Match': '*' })).status).toBe(200);
    await editRule.getByRole('button', { name: 'Save' }).click();
    await editRule.getByRole('alert').filter({ hasText: 'Someone changed this rule after you opened it' }).waitFor();
    await editRule.getByRole('button', { name: 'Cancel' }).click();
    expect((await ruleOf()).conditions[0].value).toBe('Ops');
    expect(browser.errors.filter((e) => !/412/.test(e))).toEqual([]);
    browser.errors.length = 0;

    await rules.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await rules.getByText('No dynamic rules').waitFor();

    await members.getByRole('row').filter({ hasText: 'reporter' }).getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Remove' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await members.getByRole('cell', { name: 'reporter' }).waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Access groups', level: 1 }).waitFor();
    await screenshot(page, 'access-groups');
    await page.getByText('security-auditors').waitFor({ state: 'detached' });
    expect(browser.errors).toEqual([]);
  }, 180_000);

  it('sorts the users on the server, across pages', async () => {
    const { page } = browser;
    const accountId = server.owner.accountId;
    const emails = Array.from({ length: 21 }, (_, i) => `listed-${String(i).padStart(2, '0')}@example.com`);
    const invited = await api(server.url, owner, 'POST', `/v2/accounts/${accountId}/users`, { users: emails.map((email) => ({ email, account_role: 'Member' })) });
    expect(invited.status).toBe(202);
    const all: string[] = (await api(server.url, owner, 'GET', `/v2/accounts/${accountId}/users?limit=100`)).body.resources.map((u: { email: string }) => u.email.toLowerCase());
    expect(all.length).toBeGreaterThan(21);
    const descending = [...all].sort().reverse();

    await nav('Users', 'Users');
    const table = page.getByRole('table', { name: 'Users' });
    const shown = async () => (await table.locator('tbody tr td:nth-child(2)').allInnerTexts()).map((e) => e.trim().toLowerCase());
    const byEmail = table.getByRole('columnheader', { name: /E-mail/ }).getByRole('button');
    await byEmail.click(); // ascending
    await expect.poll(shown).toEqual([...descending].reverse().slice(0, 20));
    await byEmail.click(); // descending: the last e-mails of the whole list come first, not those of the first page
    await expect.poll(shown).toEqual(descending.slice(0, 20));
    await screenshot(page, 'users-sorted');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(shown).toEqual(descending.slice(20, 40));
    expect(browser.errors).toEqual([]);
  }, 90_000);
});
