import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built into dist/support-console and served by the backend at /support (server/http/routes/support-console.ts).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/support/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/support-console', import.meta.url)),
    emptyOutDir: true,
    // The CSP allows only our own files: no inline scripts or data: modules.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
