import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS } from '../server/emulator/auth.js';
import { RESOURCES } from '../server/resources/registry.js';

const ROOT = resolve(import.meta.dirname, '..');
interface Manifest {
  $schema: string;
  id: string;
  version: string;
  name: string;
  icon: string;
  distribution_type: string;
  stripe_api_access_type: string;
  sandbox_install_compatible: boolean;
  allowed_redirect_uris: string[];
  post_install_action: { type: string };
  constants: Record<string, string>;
  permissions: { permission: string; purpose: string }[];
  ui_extension: {
    views: { viewport: string; component: string }[];
    content_security_policy: Record<string, string | string[]> & { purpose: string };
  };
}
const manifest = JSON.parse(readFileSync(join(ROOT, 'stripe-app.json'), 'utf8')) as Manifest;

/** Viewports the v1 manifest accepts that this app may use (stripe-facts.md). */
const VIEWPORTS = ['stripe.dashboard.drawer.default', 'settings', 'stripe.dashboard.home.overview', 'stripe.dashboard.payment.detail'];

describe('stripe-app.json', () => {
  it("has the v1 manifest's required fields in their shapes", () => {
    expect(manifest.$schema).toBe('https://stripe.com/stripe-app.schema.json');
    expect(manifest.id).toMatch(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)+$/);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest).toMatchObject({ distribution_type: 'public', stripe_api_access_type: 'oauth', sandbox_install_compatible: true });
    expect(manifest.post_install_action.type).toMatch(/^(settings|external)$/);
  });

  it('follows the Marketplace naming rules', () => {
    expect(manifest.name.length).toBeLessThanOrEqual(35);
    expect(manifest.name).not.toMatch(/\b(stripe|app|free|paid)\b/i);
  });

  it('ships a real 300×300 PNG icon', () => {
    const png = readFileSync(join(ROOT, manifest.icon));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([300, 300]);
  });

  it('points redirects and the CSP at the backend in its constants, over https, with paths', () => {
    const backend = manifest.constants.BACKEND_URL!;
    expect(backend).toMatch(/^https:\/\//);
    expect(manifest.allowed_redirect_uris[0]).toBe(`${backend}/oauth/callback`);
    for (const uri of manifest.allowed_redirect_uris) expect(new URL(uri).pathname.length).toBeGreaterThan(1);
    const csp = manifest.ui_extension.content_security_policy;
    expect(csp['connect-src']).toContain(`${backend}/api/app/`);
    expect(csp.purpose.length).toBeGreaterThan(20);
  });

  it('declares every permission the backend uses, each with a purpose', () => {
    const declared = manifest.permissions.map((p: { permission: string }) => p.permission);
    for (const p of manifest.permissions) expect(p.purpose.length, p.permission).toBeGreaterThan(20);
    for (const r of RESOURCES) expect(declared, r.name).toContain(r.permission);
    for (const p of ALL_PERMISSIONS) expect(declared).toContain(p);
    expect(new Set(declared).size).toBe(declared.length);
  });

  it('names known viewports, each with its component re-exported where the Stripe CLI looks', () => {
    for (const view of manifest.ui_extension.views) {
      expect(VIEWPORTS).toContain(view.viewport);
      const entry = join(ROOT, 'src/views', `${view.component}.tsx`);
      expect(existsSync(entry), entry).toBe(true);
      expect(readFileSync(entry, 'utf8').trim()).toBe(`export { default } from '../../app/views/${view.component}';`);
    }
  });
});
