import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Carbon's precompiled CSS loads IBM Plex from IBM's CDN, which the console's Content-Security-Policy
 * (font-src 'self') refuses: drop those @font-face rules; src/fonts.css serves the fonts from here.
 */
function localFonts(): Plugin {
  return {
    name: 'portcullis-local-fonts',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('@carbon/styles/css/')) return undefined;
      return { code: code.replace(/@font-face\{[^}]*\}/g, ''), map: null };
    },
  };
}

export default defineConfig({
  base: '/console/',
  plugins: [react(), localFonts()],
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    // Report what a page costs; the browser test checks the initial JavaScript's gzipped size.
    reportCompressedSize: true,
    chunkSizeWarningLimit: 1500,
  },
});
