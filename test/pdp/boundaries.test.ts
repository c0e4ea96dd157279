import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The decision core depends on nothing but itself, the kernel and Node's built-ins (DESIGN.md
 * "Layout"): what it needs of other domains it declares as interfaces they implement.
 */

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
const pdp = join(src, 'pdp');
const ALLOWED = [pdp, join(src, 'kernel')];
const BUILTINS = new Set(builtinModules);

/** Every module specifier of a file: static and dynamic imports, and re-exports. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
  for (const m of source.matchAll(/\bimport\s*(?:\(\s*)?['"]([^'"]+)['"]/g)) found.push(m[1]!);
  return found;
}

/** Whether `specifier`, imported by `file`, stays inside pdp/ and kernel/ (or is a Node built-in). */
function allowed(file: string, specifier: string): boolean {
  if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return true;
  if (!specifier.startsWith('.')) return false;
  const target = resolve(dirname(file), specifier);
  return ALLOWED.some((dir) => !relative(dir, target).startsWith('..'));
}

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('src/pdp imports', () => {
  it('reach only src/pdp, src/kernel and Node built-ins', () => {
    const outside = files(pdp).flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((s) => !allowed(file, s))
        .map((s) => `${relative(src, file)} imports ${s}`),
    );
    expect(outside).toEqual([]);
  });

  it('the check sees what it must refuse', () => {
    const file = join(pdp, 'authorize.ts');
    const found = specifiers(
      "import type { Catalog } from '../catalog/catalog.js';\nexport { x } from '../policies/v2.js';\nconst m = await import('../store/db.js');\nimport 'fastify';\n",
    );
    expect(found.sort()).toEqual(['../catalog/catalog.js', '../policies/v2.js', '../store/db.js', 'fastify']);
    expect(found.filter((s) => allowed(file, s))).toEqual([]);
    expect(['./grants.js', '../kernel/crn.js', 'node:crypto'].every((s) => allowed(file, s))).toBe(true);
  });
});
