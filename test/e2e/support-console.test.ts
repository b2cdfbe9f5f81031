import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../server/resources/registry.js';
import { SUBSCRIBED_EVENT_TYPES } from '../../shared/event-types.js';
import { seededAccount } from '../backfill/support.js';
import { artifactPath, buildConsole, launchChromium } from '../support/browser.js';
import { control, createAccount } from '../support/emulator.js';
import { install, startStack, SUPPORT_TOKEN, type Stack } from '../support/stack.js';

const READS = [
  'connected_account_read',
  'balance_read',
  'event_read',
  'report_runs_and_report_types_read',
  'file_read',
  ...RESOURCES.map((r) => r.permission),
];

/** Presses Tab until `target` has focus: proves it is reachable without a mouse. */
async function tabTo(page: Page, target: ReturnType<Page['getByRole']>, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === el.ownerDocument.activeElement)) return;
  }
  throw new Error(`could not reach ${String(target)} with Tab`);
}

// One dialect: the browser checks the console, and every API it calls runs on both engines in
// test/support-console/*.test.ts.
describe('support console in Chromium (SQLite)', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let seeded: { id: string };

  beforeAll(async () => {
    stack = await startStack('sqlite', {}, {}, { consoleDir: await buildConsole() });
    seeded = await seededAccount(stack, 400);
    expect((await install(stack, seeded.id)).status).toBe(200);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('walks support staff through login, adding, finding, watching, acting on a connection and logout', async () => {
    // Login, by keyboard: the token field has focus; Enter submits.
    await page.goto(`${stack.url}/support`);
    expect(new URL(page.url()).pathname).toBe('/support/login');
    await page.keyboard.type('not-the-token');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That support token is not valid');
    await page.getByLabel('Support token').fill(SUPPORT_TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${stack.url}/support`);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'pi_support_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    // Add an API-key connection: a bad key is explained in the form; a good one shows the webhook setup.
    await page.getByRole('link', { name: 'Add a connection' }).click();
    await page.getByLabel('Name').fill('Corner Shop');
    await page.getByLabel('Restricted API key').fill('rk_test_thisKeyDoesNotExist0000');
    await page.getByRole('button', { name: 'Save connection' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Stripe rejected this API key');
    const shop = await createAccount(stack.emulator, { name: 'Corner Shop' });
    const { key } = await control<{ key: string }>(stack.emulator, 'POST', '/keys', { account: shop.id, mode: 'test', permissions: READS });
    await page.getByLabel('Restricted API key').fill(key);
    await page.getByLabel(/^Merchant id/).fill('corner-shop');
    await page.getByRole('button', { name: 'Save connection' }).click();
    await page.getByRole('heading', { name: 'Connection added' }).waitFor();
    expect(await page.getByTestId('webhook-url').textContent()).toBe(`${stack.url}/webhooks/stripe/corner-shop`);
    expect(await page.locator('.event-groups code').allTextContents()).toEqual([...SUBSCRIBED_EVENT_TYPES]);
    expect(await page.getByRole('button', { name: 'Copy all event types' }).isVisible()).toBe(true);

    // Find the installed connection by account id, then open it with the keyboard alone.
    await page.goto(`${stack.url}/support`);
    await page.getByLabel('Search').fill(seeded.id);
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=acct_/);
    const rowLink = page.getByRole('link', { name: 'Seeded 400' });
    await rowLink.waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    await tabTo(page, rowLink);
    await page.screenshot({ path: await artifactPath('support-console-list.png'), fullPage: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/support\/connections\/conn_/);
    const connectionId = page.url().split('/').pop()!;

    // The import reaches done and verified (the page follows it); then a new payment arrives and the lag updates.
    await expect
      .poll(() => page.getByTestId('import-status').textContent(), { timeout: 60_000 })
      .toMatch(/^Import complete · verified: all \d+ at Stripe are stored$/);
    expect(await page.getByTestId('verification-charges').textContent()).toMatch(/^verified: all \d+ at Stripe are stored$/);
    const lagBefore = await page.getByTestId('lag').textContent();
    const lastBefore = await page.getByTestId('last-event').textContent();
    await control(stack.emulator, 'POST', '/scenarios/payment', { account: seeded.id, amount: 4200 });
    await expect
      .poll(
        async () => {
          await stack.services.events.poll(connectionId);
          await stack.services.jobs.idle();
          return page.getByTestId('last-event').textContent();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .not.toBe(lastBefore);
    await expect.poll(() => page.getByTestId('lag').textContent()).toMatch(/^\d+ s$/);
    expect(lagBefore).not.toMatch(/^\d+ s$/);
    await page.screenshot({ path: await artifactPath('support-console-detail.png'), fullPage: true });

    // Pause and resume with the keyboard; then a confirmed resync of everything.
    const badge = page.locator('.summary .badge');
    await tabTo(page, page.getByRole('button', { name: 'Pause' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => badge.textContent()).toBe('paused');
    // Paused reads paused, not "Not connected".
    expect(await page.locator('.summary .lead').textContent()).toMatch(/Paused \(connected since/);
    await page.getByRole('button', { name: 'Resume' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => badge.textContent()).not.toBe('paused');
    await stack.services.jobs.idle();
    await page.getByRole('button', { name: 'Resync' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm: Resync' });
    await dialog.getByLabel('What to resync').selectOption('charges');
    await dialog.getByRole('button', { name: 'Resync' }).click();
    await expect.poll(() => page.locator('.notice').textContent()).toBe('Resync of charges: done.');
    await expect.poll(() => page.locator('.timeline').textContent()).toContain('resync of charges requested by support');
    await stack.services.jobs.idle();
    await expect.poll(() => badge.textContent(), { timeout: 30_000 }).toBe('live');

    // No secret reaches the browser: the page says which are set, never what they are.
    const html = await page.content();
    expect(html).toContain('access token: set, rotated');
    expect(html).not.toMatch(/(sk|rk)_(test|live)_|whsec_[A-Za-z0-9]|stripe_oauth|rt_[A-Za-z0-9]{10}/);

    // Log out: the console and its API refuse the old session.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/support\/login/);
    await page.goto(`${stack.url}/support/connections/${connectionId}`);
    expect(new URL(page.url()).pathname).toBe('/support/login');
    const api = await fetch(`${stack.url}/api/support/connections`, { headers: { Cookie: `pi_support_session=${cookie.value}` } });
    expect(api.status).toBe(401);
  }, 180_000);
});
