import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { builtConsoleDir } from '../../src/http/console.js';

/**
 * Browser tests of the web console: Debian's chromium (never a downloaded browser), headless, one
 * browser per test file with a fresh profile, against a real server on an ephemeral port that
 * serves the console built by `npm run build` (scripts/test.mjs builds it before the suite).
 */

export const CHROMIUM = '/usr/bin/chromium';
/** Why the browser tests skip on this machine; undefined when they run. */
export const skipReason = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is absent (install Debian's chromium: apt-get install chromium)`;
if (skipReason) console.warn(`test/console: skipped: ${skipReason}`);

export const OUTPUT_DIR = join(process.cwd(), 'test-output', 'console');

export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Errors the page logged or threw (the tests assert there are none). */
  errors: string[];
  close(): Promise<void>;
}

export async function openBrowser(options: { width?: number; height?: number } = {}): Promise<ConsoleBrowser> {
  if (!existsSync(join(builtConsoleDir(), 'index.html'))) throw new Error(`the console is not built (${builtConsoleDir()}): run \`npm run build -w console\``);
  const profile = mkdtempSync(join(tmpdir(), 'portcullis-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as test-output/console/<name>.png (look at them). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`), fullPage: true });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (injected through DevTools, not a <script>: the CSP forbids those). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  // A string, evaluated in the page (the test's TypeScript has no DOM types).
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
    result.violations.map((v) => ({ id: v.id, impact: v.impact || '', help: v.help, targets: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)) })))`)) as {
    id: string;
    impact: string;
    help: string;
    targets: string[];
  }[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
}

/** Opens the console's sign-in page, forgetting any sign-in of this tab. */
async function openSignIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/console/`);
  await page.evaluate('sessionStorage.clear()');
  await page.reload();
  await page.getByRole('heading', { name: 'Sign in to Portcullis' }).waitFor();
}

/** Signs in on the console's sign-in page with an API key. */
export async function signInWithApiKey(page: Page, url: string, apikey: string): Promise<void> {
  await openSignIn(page, url);
  await page.getByRole('tab', { name: 'API key' }).click();
  await page.getByRole('textbox', { name: 'API key' }).fill(apikey);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Signs in on the console's sign-in page with a login and password. */
export async function signInWithPassword(page: Page, url: string, username: string, password: string): Promise<void> {
  await openSignIn(page, url);
  await page.getByLabel('Username or e-mail').fill(username);
  await page.getByRole('textbox', { name: 'Password' }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export { initialScripts } from './bundle.js';
