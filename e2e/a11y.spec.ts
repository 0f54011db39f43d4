// Every top-level screen of the production build checked by axe (serious and critical
// findings fail) at desktop (1280×800) and phone (390×844) size, in the light and the dark
// theme, with 200-character names in the vault, and none of them wider than the window
// (document.scrollingElement.scrollWidth ≤ the viewport's width). One vault is seeded
// through the screens and reused by every size and theme. (Issue 16: screens a newcomer
// reads without help.)
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from '@playwright/test';
import { createCa, expect, test } from './fixtures';

/**
 * A 200-character name with no space to break at: the worst case for a layout. (Dots,
 * because a 200-character run of base64url characters is refused as looking like key
 * material.)
 */
const LONG = 'Long.name.'.repeat(20);
const LONG_OWNER = 'owner.without.spaces.'.repeat(10).slice(0, 200);
const LONG_CA = 'Certificate.authority.'.repeat(10).slice(0, 200);
const LONG_PRINCIPAL = 'principal.with.a.long.name.'.repeat(3).slice(0, 64); // the KDC's longest name

const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

interface Seeded {
  keyUrl: string;
  certUrl: string;
  crlUrl: string;
}

let context: BrowserContext;
let page: Page;
let seeded: Seeded;

async function seed(p: Page): Promise<Seeded> {
  await p.goto('/#/keys/new');
  await p.getByRole('textbox', { name: /^Name/ }).fill(LONG);
  await p.getByRole('textbox', { name: 'Owner' }).fill(LONG_OWNER);
  await p.getByRole('combobox', { name: 'Template' }).selectOption('ECDSA-P-256');
  await p.getByRole('button', { name: 'Generate key' }).click();
  await expect(p.getByRole('heading', { level: 1, name: LONG })).toBeVisible();
  const keyUrl = p.url();

  await createCa(p, { name: LONG_CA, cn: 'A11y Root CA' });
  const crlUrl = `/${(await p.getByRole('link', { name: `CRL of ${LONG_CA}` }).getAttribute('href'))!}`;

  await p.goto('/#/certs/issue');
  await p.getByRole('combobox', { name: 'Vault key' }).selectOption({ label: `${LONG} (ECDSA-P-256)` });
  await p.getByRole('textbox', { name: 'Common name (CN)' }).fill('a11y.example.test');
  await p.getByRole('textbox', { name: 'DNS names' }).fill('a11y.example.test');
  await p.getByRole('button', { name: 'Issue certificate' }).click();
  await expect(p.getByRole('heading', { level: 1, name: 'a11y.example.test' })).toBeVisible();
  const certUrl = p.url();

  await p.goto('/#/kdc/principals');
  await p.getByRole('textbox', { name: 'Principal name' }).fill(LONG_PRINCIPAL);
  await p.getByRole('button', { name: 'Register principal' }).click();
  await expect(p.getByRole('status')).toContainText(`Registered ${LONG_PRINCIPAL} (user)`);
  return { keyUrl, certUrl, crlUrl };
}

/** Fails with every serious or critical axe finding, and when the page is wider than the window. */
async function check(p: Page, what: string) {
  const results = await new AxeBuilder({ page: p }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${what}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  const overflow = await p.evaluate(() => {
    const width = window.innerWidth;
    const scroll = document.scrollingElement!.scrollWidth;
    if (scroll <= width) return '';
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > width + 1)
      .slice(0, 8)
      .map((e) => `${e.tagName.toLowerCase()}.${String(e.className)} right=${Math.round(e.getBoundingClientRect().right)}`);
    return `${scroll} > ${width}: ${wide.join('; ')}`;
  });
  expect(overflow, `${what}: the page is wider than the window`).toBe('');
}

/** Opens a screen and waits for its h1 (and, where given, a sign that its data loaded). */
async function visit(p: Page, url: string, ready?: (p: Page) => Promise<void>) {
  await p.goto(url);
  await expect(p.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(p.getByText('Loading…', { exact: true })).toHaveCount(0);
  if (ready) await ready(p);
}

test.describe.serial('every screen at desktop and phone size, light and dark, with long names', () => {
  test.beforeAll(async ({ browser, baseURL }) => {
    context = await browser.newContext({ baseURL: baseURL! });
    page = await context.newPage();
    seeded = await seed(page);
  });
  test.afterAll(async () => {
    await context?.close();
  });

  for (const size of ['desktop', 'phone'] as const) {
    for (const theme of ['light', 'dark'] as const) {
      test(`axe-clean and no wider than the window: ${size}, ${theme} theme`, async () => {
        test.setTimeout(600_000);
        const p = page;
        await p.setViewportSize(SIZES[size]);
        await visit(p, '/#/keys');
        await p.getByRole('combobox', { name: 'Theme' }).selectOption(theme);
        await expect(p.locator('html')).toHaveAttribute('data-theme', theme);
        const tag = `${size} ${theme}`;

        await visit(p, '/#/keys', (q) => expect(q.getByRole('link', { name: LONG })).toBeVisible());
        await check(p, `${tag} keys`);
        await visit(p, seeded.keyUrl, (q) => expect(q.getByRole('heading', { level: 1, name: LONG })).toBeVisible());
        await check(p, `${tag} key page`);
        await visit(p, '/#/keys/new');
        await check(p, `${tag} generate`);
        await visit(p, '/#/keys/import');
        await check(p, `${tag} import`);
        await visit(p, '/#/ca', (q) => expect(q.getByRole('link', { name: LONG_CA, exact: true })).toBeVisible());
        await check(p, `${tag} CAs`);
        await visit(p, '/#/certs', (q) => expect(q.getByRole('link', { name: 'a11y.example.test' })).toBeVisible());
        await check(p, `${tag} certificates`);
        await visit(p, seeded.certUrl, (q) => expect(q.getByRole('heading', { level: 1, name: 'a11y.example.test' })).toBeVisible());
        await check(p, `${tag} certificate page`);
        // A dialog sits on a visible backdrop that covers the window; Escape closes it.
        await p.getByRole('button', { name: 'Revoke…' }).click();
        const dialog = p.getByRole('dialog', { name: 'Revoke this certificate?' });
        await expect(dialog).toBeVisible();
        const backdrop = await p.locator('.dialog-backdrop').evaluate((e) => {
          const r = e.getBoundingClientRect();
          const alpha = Number(/rgba?\([^)]*[,/]\s*([\d.]+)\)/.exec(getComputedStyle(e).backgroundColor)?.[1] ?? '0');
          return { covers: r.left <= 0 && r.top <= 0 && r.right >= window.innerWidth && r.bottom >= window.innerHeight, alpha };
        });
        expect(backdrop.covers).toBe(true);
        expect(backdrop.alpha).toBeGreaterThanOrEqual(0.5);
        await check(p, `${tag} revoke dialog`);
        await p.keyboard.press('Escape');
        await expect(dialog).toHaveCount(0);
        await visit(p, seeded.crlUrl);
        await check(p, `${tag} CRL`);
        await visit(p, '/#/lifecycle', (q) => expect(q.getByText(LONG_OWNER).first()).toBeVisible());
        await check(p, `${tag} lifecycle`);
        await visit(p, '/#/audit');
        await check(p, `${tag} audit`);
        for (const kdc of ['/#/kdc', '/#/kdc/principals', '/#/kdc/keys', '/#/kdc/attacks']) {
          await visit(p, kdc);
          await check(p, `${tag} ${kdc}`);
        }
        await visit(p, '/#/exchange', (q) => expect(q.getByRole('button', { name: 'Start exchange' })).toBeVisible());
        // The man in the middle, run to the end: the party columns show their hex.
        await p.getByRole('combobox', { name: 'Attacker in the middle' }).selectOption('substitute');
        await p.getByRole('button', { name: 'Start exchange' }).click();
        await p.getByRole('button', { name: 'Run to the end' }).click();
        await expect(p.getByRole('region', { name: "Mallory's view" })).toContainText('can read the conversationyes');
        await check(p, `${tag} exchange`);
        const hexWidth = await p.getByRole('region', { name: "Alice's view" }).locator('code').first().evaluate((e) => e.getBoundingClientRect().width);
        expect(hexWidth, 'a hex value in a party column is wider than a few characters').toBeGreaterThan(100);
        await visit(p, '/#/walkthroughs');
        await check(p, `${tag} walkthroughs`);
        await visit(p, '/#/walkthroughs/kdc-symmetric/3', (q) => expect(q.getByRole('heading', { name: 'What the engine returned' })).toBeVisible());
        await check(p, `${tag} walkthrough step`);

        if (size === 'phone') {
          // The navigation folds behind the Menu button: opens, is used by keyboard, and closes on navigation.
          const menu = p.getByRole('button', { name: 'Menu' });
          await expect(menu).toHaveAttribute('aria-expanded', 'false');
          await expect(p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' })).toBeHidden();
          const header = await p.locator('.site-header').evaluate((e) => e.getBoundingClientRect().height);
          expect(header, 'the header takes a small part of a phone screen').toBeLessThan(110);
          await menu.focus();
          await p.keyboard.press('Enter');
          await expect(menu).toHaveAttribute('aria-expanded', 'true');
          await check(p, `${tag} open menu`);
          await p.keyboard.press('Escape');
          await expect(menu).toHaveAttribute('aria-expanded', 'false');
          await expect(menu).toBeFocused();
          await menu.click();
          await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
          await expect(p.getByRole('heading', { level: 1, name: 'Keys' })).toBeVisible();
          await expect(menu).toHaveAttribute('aria-expanded', 'false');
        }
      });
    }
  }
});
