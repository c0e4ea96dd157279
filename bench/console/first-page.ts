/**
 * The web console's first page: how long from navigation until the sign-in page answers input,
 * beside the issue's ceiling of 1 s on this machine. "Answers input" is the strict reading: the
 * username and password fields are typed into and the Sign in button turns enabled, which happens
 * only once React runs and handles events (a painted but inert page does not count).
 *
 *   npm run bench:console      (builds first, as the server serves dist/console)
 *
 * Cold runs use a new browser context each (empty cache: every asset is fetched); warm runs reload
 * in one context (hashed assets come from the cache, index.html is revalidated). Debian's
 * chromium, headless, against a real server in a child process. Writes bench/results/console.json.
 *
 * Beside the times, the CPU the page's main thread spent until then (DevTools' thread-time
 * metrics: all its tasks, of which scripts, style recalculation, layout): on a machine other work
 * keeps busy the times grow with the wait for a core, the CPU does not, so it tells the page's own
 * cost from the machine's load.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startBenchServer } from '../lib/server.js';
import { median } from '../lib/stats.js';

const CEILING_MS = 1_000;
const RUNS = 7;

/**
 * Runs in the page before its own scripts: as soon as the sign-in fields exist it types into them
 * (the native value setter and an input event, as a keyboard would), and records on the page's own
 * clock the moment React enables the Sign in button in answer, so no driver round trip is counted.
 * Plain JavaScript in a string: the page must not receive the TypeScript loader's helpers.
 */
const TYPE_AS_SOON_AS_POSSIBLE = `(() => {
  const type = (input, value) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  let typed = false;
  const observer = new MutationObserver(() => {
    const username = document.getElementById('signin-username');
    const password = document.getElementById('signin-password');
    if (!typed && username && password) {
      typed = true;
      type(username, 'someone@example.com');
      type(password, 'not-a-real-password');
    }
    if (typed && document.querySelector('button[type=submit]:not([disabled])')) {
      window.interactiveAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true });
})();`;

interface Timing {
  /** The page's own clock, from navigation start until the form answered typing. */
  interactiveMs: number;
  /** From the driver's navigation call until it saw the same (adds the driver's round trips, which a loaded machine inflates). */
  drivenMs: number;
  /** The page's own clock: DOMContentLoaded done (the module scripts have run) and load done. */
  domContentLoadedMs: number;
  loadMs: number;
  /** Main-thread CPU of the navigation (thread time, not wall time): all tasks, and the parts spent in scripts, style and layout. */
  cpuMs: number;
  scriptMs: number;
  styleMs: number;
  layoutMs: number;
}

/** DevTools' cumulative main-thread metrics of a page, in thread time (CPU), in ms. */
async function threadTimeMetrics(context: BrowserContext, page: Page): Promise<() => Promise<Record<'TaskDuration' | 'ScriptDuration' | 'RecalcStyleDuration' | 'LayoutDuration', number>>> {
  const session = await context.newCDPSession(page);
  await session.send('Performance.enable', { timeDomain: 'threadTicks' });
  return async () => {
    const { metrics } = await session.send('Performance.getMetrics');
    const value = (name: string) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    return { TaskDuration: value('TaskDuration'), ScriptDuration: value('ScriptDuration'), RecalcStyleDuration: value('RecalcStyleDuration'), LayoutDuration: value('LayoutDuration') };
  };
}

/** Times one navigation to the sign-in page until its form responds to typing. */
async function timeToInteractive(context: BrowserContext, page: Page, url: string): Promise<Timing> {
  const metrics = await threadTimeMetrics(context, page);
  const before = await metrics();
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  // These functions run in the browser; the project's types describe Node, hence the casts.
  await page.waitForFunction(() => (globalThis as { interactiveAt?: number }).interactiveAt !== undefined);
  const drivenMs = performance.now() - started;
  const after = await metrics();
  await page.waitForLoadState('load');
  const [interactiveMs, domContentLoadedMs, loadMs] = await page.evaluate(() => {
    const [navigation] = performance.getEntriesByType('navigation' as 'mark') as unknown as Array<{ domContentLoadedEventEnd: number; loadEventEnd: number }>;
    return [(globalThis as { interactiveAt?: number }).interactiveAt!, navigation!.domContentLoadedEventEnd, navigation!.loadEventEnd];
  });
  return {
    interactiveMs,
    drivenMs,
    domContentLoadedMs,
    loadMs,
    cpuMs: after.TaskDuration - before.TaskDuration,
    scriptMs: after.ScriptDuration - before.ScriptDuration,
    styleMs: after.RecalcStyleDuration - before.RecalcStyleDuration,
    layoutMs: after.LayoutDuration - before.LayoutDuration,
  };
}

const server = await startBenchServer();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const url = `${server.url}/console/`;
  const cold: Timing[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    await context.addInitScript({ content: TYPE_AS_SOON_AS_POSSIBLE });
    cold.push(await timeToInteractive(context, await context.newPage(), url));
    await context.close();
  }
  const context = await browser.newContext();
  await context.addInitScript({ content: TYPE_AS_SOON_AS_POSSIBLE });
  const page = await context.newPage();
  await timeToInteractive(context, page, url);
  const warm: Timing[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await timeToInteractive(context, page, url));
  await context.close();

  const cell = (values: number[]) => median(values).toFixed(0).padStart(10);
  const row = (name: string, runs: Timing[]) =>
    `${name.padEnd(5)} | ${cell(runs.map((r) => r.interactiveMs))} | ${Math.max(...runs.map((r) => r.interactiveMs)).toFixed(0).padStart(7)} | ${String(CEILING_MS).padStart(10)} || ${cell(runs.map((r) => r.domContentLoadedMs))} | ${cell(runs.map((r) => r.loadMs))} | ${cell(runs.map((r) => r.drivenMs))} || ${cell(runs.map((r) => r.cpuMs))} | ${cell(runs.map((r) => r.scriptMs))} | ${cell(runs.map((r) => r.styleMs))} | ${cell(runs.map((r) => r.layoutMs))}`;
  console.log(`\nconsole first page, sign-in form answering input (${RUNS} runs each; load average ${loadavg()[0]!.toFixed(1)}):`);
  console.log('load  | median ms  | max ms  | ceiling ms || DCL ms     | load ms    | driven ms  || CPU ms     | script ms  | style ms   | layout ms');
  console.log(row('cold', cold));
  console.log(row('warm', warm));
  const results = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'console.json'), JSON.stringify({ ceilingMs: CEILING_MS, loadAverage: loadavg()[0], cold, warm }, null, 2));
} finally {
  await browser.close();
  server.stop();
}
