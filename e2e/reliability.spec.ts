// Tabs agree (issue 14 #10, SECURITY.md W-items): several pages of one browser context
// share one vault. A change made in one page shows in every other page without a reload
// (through the storage change feed), the key that "Create CA" makes shows in the same
// tab's list, and a schema upgrade in another tab asks to reload instead of failing.
// Every wait is on the UI change itself, never on a timer.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

async function openKeyList(page: Page) {
  await page.goto('/#/keys');
  await expect(page.getByRole('heading', { level: 1, name: 'Keys' })).toBeVisible();
}

async function generate(page: Page, name: string) {
  await page.goto('/#/keys/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill(name);
  await page.getByRole('combobox', { name: 'Template' }).selectOption('AES-GCM-256');
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

const keyLink = (page: Page, name: string) => page.getByRole('table', { name: 'Keys in the vault' }).getByRole('link', { name, exact: true });

test('W every page of one context shows the same keys after a change in another page', async ({ page, context }) => {
  const pages = [page, await context.newPage(), await context.newPage()];
  for (const p of pages) await openKeyList(p);

  await generate(pages[0]!, 'made in tab one');
  for (const p of pages.slice(1)) await expect(keyLink(p, 'made in tab one')).toBeVisible();

  await generate(pages[1]!, 'made in tab two');
  await openKeyList(pages[0]!);
  for (const p of [pages[0]!, pages[2]!]) {
    await expect(keyLink(p, 'made in tab one')).toBeVisible();
    await expect(keyLink(p, 'made in tab two')).toBeVisible();
  }

  // Deleting in one page removes the key from the others.
  await pages[2]!.getByRole('link', { name: 'made in tab one', exact: true }).click();
  await pages[2]!.getByRole('button', { name: 'Delete key…' }).click();
  await pages[2]!.getByRole('dialog').getByRole('button', { name: 'Delete key' }).click();
  await expect(pages[2]!.getByRole('heading', { level: 1, name: 'Keys' })).toBeVisible();
  for (const p of [pages[0]!, pages[2]!]) {
    await expect(keyLink(p, 'made in tab one')).toHaveCount(0);
    await expect(keyLink(p, 'made in tab two')).toBeVisible();
  }
  // The page still on "made in tab two"'s own screen shows the same list when it goes back to it.
  await pages[1]!.getByRole('link', { name: 'Keys', exact: true }).first().click();
  await expect(keyLink(pages[1]!, 'made in tab two')).toBeVisible();
  await expect(keyLink(pages[1]!, 'made in tab one')).toHaveCount(0);
});

test('W a schema upgrade in another tab asks every open page to reload', async ({ page, context, watch }) => {
  const other = await context.newPage();
  await openKeyList(page);
  await openKeyList(other);
  // A newer version of Clavis opening the database in a third page.
  const upgrader = await context.newPage();
  await upgrader.goto('/#/about-blank-for-upgrade');
  watch.expectViolations = true; // the upgrading page's own app also loses its connection
  await upgrader.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const r = indexedDB.open('clavis', 1000);
        r.onsuccess = () => {
          r.result.close();
          resolve();
        };
        r.onerror = () => reject(r.error);
      }),
  );
  for (const p of [page, other]) {
    const alert = p.getByRole('alert').filter({ hasText: 'Clavis was updated in another tab' });
    await expect(alert).toBeVisible();
    await expect(alert.getByRole('button', { name: 'Reload this tab' })).toBeVisible();
  }
});

test('W eviction: when the site’s IndexedDB is cleared, the app says plainly that data was lost', async ({ page }) => {
  await openKeyList(page);
  await generate(page, 'before eviction');
  // The marker holds a version and a count, nothing from the vault.
  const marker = await page.evaluate(() => localStorage.getItem('clavis.vault-marker'));
  expect(Object.keys(JSON.parse(marker!) as object).sort()).toEqual(['auditCount', 'v']);
  expect(marker).not.toContain('before eviction');
  // The browser evicts the vault's database (the open connection steps aside).
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const r = indexedDB.deleteDatabase('clavis');
        r.onsuccess = () => resolve();
        r.onerror = () => reject(r.error);
      }),
  );
  await page.reload();
  const alert = page.getByRole('alert').filter({ hasText: 'Data was lost' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('cannot be recovered here');
  await alert.getByRole('button', { name: 'I understand' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Data was lost' })).toHaveCount(0);
});
