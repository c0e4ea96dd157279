import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtConsoleDir } from '../../src/http/console.js';

/**
 * The console compiles only the Carbon component styles it uses (console/src/carbon.scss) instead
 * of Carbon's precompiled stylesheet. Carbon's React components name their classes in the built
 * scripts (`${prefix}--btn--primary` keeps `--btn--primary`), so a class the scripts name, that
 * Carbon's full stylesheet styles and the console's does not, is a component missing from carbon.scss.
 */
const assets = join(builtConsoleDir(), 'assets');
const read = (file: string) => readFileSync(join(assets, file), 'utf8');

/** Carbon class names (`cds--x` as `--x`) that a stylesheet's selectors use. */
const styledClasses = (css: string) => new Set([...css.matchAll(/\.cds(--[\w-]+)/g)].map((m) => m[1]!));

/**
 * What the scripts name but the console never renders: Carbon's AI label, dialog and badge parts,
 * and the fluid-form variants (`--…--fluid…`, `__divider`), character counters (`__label-counter`),
 * which appear only with props the console does not pass.
 */
const NEVER_RENDERED = /^--(?:ai-label|dialog|badge-indicator)|fluid|__divider$|__label-counter$/;

describe("the console's Carbon stylesheet", () => {
  const files = readdirSync(assets);
  const scripts = files.filter((file) => file.endsWith('.js')).map(read).join('\n');
  const named = new Set([...scripts.matchAll(/--[a-zA-Z][\w-]*/g)].map((m) => m[0]));
  const full = styledClasses(readFileSync(createRequire(import.meta.url).resolve('@carbon/styles/css/styles.min.css'), 'utf8'));
  const own = styledClasses(files.filter((file) => file.endsWith('.css')).map(read).join('\n'));

  it('styles every Carbon class the console names that Carbon styles', () => {
    const missing = [...named].filter((name) => full.has(name) && !own.has(name) && !NEVER_RENDERED.test(name));
    expect(missing).toEqual([]);
    // The check sees the components: buttons, data tables, the UI shell, notifications, modals.
    for (const name of ['--btn', '--data-table', '--side-nav', '--inline-notification', '--modal-container']) expect(own.has(name) && named.has(name)).toBe(true);
  });

  it('is a fraction of the precompiled stylesheet, with no @font-face (fonts.css serves IBM Plex from the console)', () => {
    const css = files.filter((file) => /^index-.*\.css$/.test(file)).map(read).join('\n');
    expect(css.length).toBeLessThan(0.65 * readFileSync(createRequire(import.meta.url).resolve('@carbon/styles/css/styles.min.css')).length);
    expect(css.match(/@font-face\{[^}]*\}/g)?.every((rule) => rule.includes('font-family:IBM Plex') && !rule.includes('s81c.com'))).toBe(true);
  });
});
