import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'stripe-app.json'), 'utf8')) as { ui_extension: { views: { component: string }[] } };

// The official bundle needs the Stripe CLI, which these machines cannot run; esbuild proves the
// views resolve and compile from the entry points the CLI uses.
describe('UI extension bundle', () => {
  it.each(manifest.ui_extension.views.map((v) => v.component))('builds %s from src/views', async (component) => {
    const result = await build({
      entryPoints: [join(ROOT, 'src/views', `${component}.tsx`)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      jsx: 'automatic',
      logLevel: 'silent',
      external: ['react', 'react/jsx-runtime', '@stripe/ui-extension-sdk/*'],
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).toContain('api/app');
    expect(code).not.toMatch(/from ["'](node:|express|knex|pg|sqlite3)/);
  });
});
