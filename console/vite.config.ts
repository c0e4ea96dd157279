import react from '@vitejs/plugin-react';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes a gzip (`.gz`) and a brotli (`.br`) copy beside each built script, stylesheet and SVG, at
 * the strongest settings, once at build time: the server (src/http/console.ts) sends the copy the
 * browser accepts instead of compressing every response. A copy no smaller than its file is not
 * written (the server then sends the file itself). Fonts are woff2, compressed already.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'portcullis-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        if (!/^assets\/.*\.(?:js|css|svg)$/.test(fileName)) continue;
        const file = join(outDir, fileName);
        const source = readFileSync(file);
        const copies = {
          gz: gzipSync(source, { level: 9 }),
          br: brotliCompressSync(source, {
            params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: source.length },
          }),
        };
        for (const [extension, copy] of Object.entries(copies)) if (copy.length < source.length) writeFileSync(`${file}.${extension}`, copy);
      }
    },
  };
}

export default defineConfig({
  base: '/console/',
  plugins: [react(), precompress()],
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    // Report what a page costs; the browser test checks the initial JavaScript's gzipped size.
    reportCompressedSize: true,
    chunkSizeWarningLimit: 1500,
  },
  css: {
    // Carbon's Sass (src/carbon.scss) uses functions Sass has deprecated: its warnings are Carbon's to fix.
    preprocessorOptions: { scss: { quietDeps: true } },
  },
});
