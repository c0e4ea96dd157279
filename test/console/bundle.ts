import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The JavaScript a first visit loads before any page's own chunk: the entry script of index.html
 * and the chunks it imports statically (its modulepreload links), with their gzipped sizes.
 */
export function initialScripts(dir: string): { file: string; gzipBytes: number }[] {
  const index = readFileSync(join(dir, 'index.html'), 'utf8');
  const named = [...index.matchAll(/(?:src|href)="\/console\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(dir, file), 'utf8');
    // Static imports only (`import … from "./x.js"`, `import "./x.js"`); dynamic import() is a lazy page.
    for (const m of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) visit(`assets/${m[1]}`);
  };
  named.forEach(visit);
  return [...seen].map((file) => ({ file, gzipBytes: gzipSync(readFileSync(join(dir, file))).length }));
}
