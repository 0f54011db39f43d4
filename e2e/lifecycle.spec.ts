// The key lifecycle end to end in Chromium, through the screens of the production build:
// generate (pre-activation), activate, encrypt, rotate, decrypt old data, compromise,
// destroy (then decrypting fails clearly); move the simulated clock and watch a key
// deactivate; tamper with the audit store from the page and see verification point at the
// entry; axe on the lifecycle and audit screens. (Issue: key lifecycle; PRODUCT.md B1–B8.)
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

const DAY = 86_400_000;

/** `YYYY-MM-DDTHH:MM` in UTC, as the date fields take it. */
const utcInput = (ms: number) => new Date(ms).toISOString().slice(0, 16);

async function generate(page: Page, name: string, opts: { activation?: string; owner?: string } = {}) {
  await page.goto('/#/keys/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill(name);
  await page.getByRole('combobox', { name: 'Template' }).selectOption('AES-GCM-256');
  if (opts.owner) await page.getByRole('textbox', { name: 'Owner' }).fill(opts.owner);
  if (opts.activation) await page.getByLabel('Activation date (UTC, optional)').fill(opts.activation);
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

const lifecycle = (page: Page) => page.getByRole('region', { name: 'Lifecycle' });

async function expectState(page: Page, label: string) {
  await expect(lifecycle(page).getByText(/^State:/)).toContainText(label);
  await expect(page.getByRole('img', { name: new RegExp(`Current state: ${label.replace(/[()]/g, '\\$&')}\\.`) })).toBeVisible();
}

async function decrypt(page: Page, ciphertext: string) {
  await page.getByRole('textbox', { name: 'Ciphertext to decrypt' }).fill(ciphertext);
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
}

test('B1–B6 generate, activate, encrypt, rotate, decrypt old data, compromise, destroy: all through the screens', async ({ page }) => {
  await generate(page, 'e2e lifecycle', { activation: '2099-01-01T00:00' });
  await expectState(page, 'Pre-activation');
  // A pre-activation key refuses to protect, and says why.
  await page.getByRole('textbox', { name: 'Text to encrypt' }).fill('too early');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not encrypted' })).toContainText(/cannot be used before it is activated.*KEY_STATE/s);
  // The forbidden moves are listed with their reasons.
  await expect(lifecycle(page).getByRole('listitem').filter({ hasText: /^Suspended: only an active key can be suspended/ })).toBeVisible();

  await lifecycle(page).getByRole('group', { name: 'Allowed transitions' }).getByRole('button', { name: 'Activate' }).click();
  await expect(lifecycle(page).getByRole('status')).toHaveText(/activated\. It is now active/);
  await expectState(page, 'Active');

  await page.getByRole('textbox', { name: 'Text to encrypt' }).fill('launch codes');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  const ciphertext = await page.getByRole('textbox', { name: 'Encrypted text' }).inputValue();
  expect(ciphertext).toMatch(/^clavis:v1:/);

  const versions = page.getByRole('region', { name: 'Versions' });
  await versions.getByRole('button', { name: 'Rotate key' }).click();
  await expect(versions.getByRole('status')).toHaveText(/version 2 is now the primary/);
  await expect(versions.getByRole('row', { name: /Version 1 \(this page\).*Process only.*Deactivated/ })).toBeVisible();
  await expect(versions.getByRole('row', { name: /Version 2.*Primary.*Active/ })).toBeVisible();
  await expectState(page, 'Deactivated');

  // Data from before the rotation still decrypts with version 1.
  await decrypt(page, ciphertext);
  await expect(page.getByRole('textbox', { name: 'Decrypted text' })).toHaveValue('launch codes');

  await lifecycle(page).getByRole('button', { name: 'Mark compromised…' }).click();
  const compromise = page.getByRole('dialog', { name: 'Mark “e2e lifecycle” compromised?' });
  await compromise.getByRole('button', { name: 'Mark compromised' }).click();
  await expect(compromise).toBeHidden();
  await expectState(page, 'Compromised');
  // A compromised key processes only with an explicit acknowledgement.
  await decrypt(page, ciphertext);
  await expect(page.getByRole('alert').filter({ hasText: 'Not decrypted' })).toContainText(/explicitly acknowledged.*KEY_STATE/s);
  await page.getByRole('checkbox', { name: /I acknowledge the risk of decrypting this text with a compromised key/ }).check();
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await expect(page.getByRole('textbox', { name: 'Decrypted text' })).toHaveValue('launch codes');

  await lifecycle(page).getByRole('button', { name: 'Destroy…' }).click();
  const destroy = page.getByRole('dialog', { name: 'Destroy “e2e lifecycle”?' });
  await destroy.getByRole('button', { name: 'Destroy key' }).click();
  await expect(destroy).toBeHidden();
  await expectState(page, 'Destroyed (compromised)');
  await decrypt(page, ciphertext);
  await expect(page.getByRole('alert').filter({ hasText: 'Not decrypted' })).toContainText(/destroyed on .*material was deleted, so nothing can be decrypted/);

  // The tombstone stays in the inventory with its state.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
  await expect(page.getByRole('row', { name: /e2e lifecycle.*Destroyed \(compromised\)/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /e2e lifecycle.*Active/ })).toBeVisible();
});

test('B3/B8 moving the simulated clock past a protect-stop date deactivates the key, with a banner on every screen', async ({ page }) => {
  await generate(page, 'e2e clock');
  const protectStop = Date.now() + 10 * DAY;
  await page.getByLabel('Protect-stop date (UTC)').fill(utcInput(protectStop));
  await page.getByRole('button', { name: 'Save dates' }).click();
  await expect(page.getByRole('region', { name: 'Timeline and dates' }).getByRole('status')).toHaveText(/Dates saved\. The key is active/);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Lifecycle' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Key lifecycle' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'In the next 30 days' }).getByRole('row', { name: /e2e clock.*protect-stop/ })).toBeVisible();
  await expect(page.getByText(/^Simulated time:/)).toHaveCount(0);

  await page.getByRole('button', { name: '+30 days' }).click();
  await expect(page.getByRole('region', { name: 'Clock' }).getByRole('status')).toHaveText(/e2e clock: Active → Deactivated/);
  const banner = page.getByRole('status').filter({ hasText: /Simulated time: \d{4}-\d\d-\d\d \d\d:\d\d UTC/ });
  await expect(banner).toBeVisible();
  await expect(page.getByRole('region', { name: 'Deactivated (1)' }).getByRole('link', { name: 'e2e clock' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'In the next 30 days' })).not.toContainText('e2e clock');

  // The banner follows every screen.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Keys' })).toBeVisible();
  await expect(banner).toBeVisible();
  await expect(page.getByRole('row', { name: /e2e clock.*Deactivated/ })).toBeVisible();
  await page.getByRole('link', { name: 'e2e clock' }).click();
  await expectState(page, 'Deactivated');
  await expect(page.getByRole('region', { name: 'Timeline and dates' })).toContainText(/active → deactivated \(clock: protectStop date reached\)/);
  await page.getByRole('textbox', { name: 'Text to encrypt' }).fill('after the end');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not encrypted' })).toContainText(/deactivated keys may only process/);

  await page.getByRole('button', { name: 'Return to real time' }).click();
  await expect(banner).toBeHidden();
  await expectState(page, 'Deactivated');
});

test('B7 a stored audit entry changed from the page is found, and the log exports as JSON Lines', async ({ page }) => {
  await generate(page, 'e2e audit one');
  const id = decodeURIComponent(page.url().split('#/keys/')[1]!);
  await lifecycle(page).getByRole('button', { name: 'Suspend' }).click();
  await expectState(page, 'Suspended');
  await generate(page, 'e2e audit two');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible();
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Chain OK/ })).toHaveText(/✓ Chain OK: 3 entries/);

  await page.getByRole('textbox', { name: 'Object (id or name)' }).fill(id);
  await expect(page).toHaveURL(new RegExp(`#/audit\\?object=${id}$`));
  await expect(page.getByText('Showing 2 of 3 entries')).toBeVisible();
  await page.getByRole('combobox', { name: 'Action' }).selectOption('key.transition');
  await expect(page.getByText('Showing 1 of 3 entries')).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON Lines' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('clavis-audit.jsonl');
  const all = (await (await file.createReadStream()).toArray()).join('').trim().split('\n');
  // The first line is the export header: the hash recipe, the signed head and the audit public key.
  expect(JSON.parse(all[0]!)).toMatchObject({ format: 'clavis-audit-export', count: 3, head: { seq: 3 } });
  const lines = all.slice(1).map((l) => JSON.parse(l) as { seq: number; action: string });
  expect(lines.map((l) => [l.seq, l.action])).toEqual([
    [1, 'key.create'],
    [2, 'key.transition'],
    [3, 'key.create'],
  ]);

  // Someone with access to the profile edits entry 2 directly in IndexedDB.
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('clavis');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    await new Promise<void>((res, rej) => {
      const tx = db.transaction('audit', 'readwrite');
      const store = tx.objectStore('audit');
      const get = store.get(2);
      get.onsuccess = () => {
        const entry = get.result as { details: Record<string, unknown> };
        store.put({ ...entry, details: { ...entry.details, to: 'active' } }, 2);
      };
      tx.oncomplete = () => res();
      tx.onerror = () => rej(tx.error);
    });
    db.close();
  });
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('alert')).toContainText('Chain broken at entry 2: changed');
  await expect(page.getByRole('alert')).toContainText('entry 2 was changed');
  await expect(page.getByRole('row', { name: /2 ✗ broken here/ })).toBeVisible();

  // One entry's every field and hash in a dialog, axe-clean; Escape closes it.
  await page.getByRole('row', { name: /2 ✗ broken here/ }).getByRole('button', { name: 'Details of entry 2' }).click();
  const dialog = page.getByRole('dialog', { name: 'Entry 2: Key state changed' });
  await expect(dialog).toContainText('The chain breaks at this entry.');
  await expect(dialog).toContainText('"to": "active"');
  await expect(dialog).toContainText(/Hashed text \(canonical JSON\)/);
  const inDialog = await new AxeBuilder({ page }).analyze();
  expect(inDialog.violations.map((v) => `audit dialog: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});

test('G2 the lifecycle, audit and key screens are axe-clean, with the simulated-time banner and dialogs', async ({ page }) => {
  await generate(page, 'axe key', { owner: 'axe-owner' });
  const keyUrl = page.url();
  await lifecycle(page).getByRole('button', { name: 'Revoke…' }).click();
  await expect(page.getByRole('dialog', { name: 'Revoke “axe key”?' })).toBeVisible();
  const inDialog = await new AxeBuilder({ page }).analyze();
  expect(inDialog.violations.map((v) => `revoke dialog: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Lifecycle' }).click();
  await page.getByRole('button', { name: '+1 day' }).click();
  await expect(page.getByText(/Simulated time:/).first()).toBeVisible();
  for (const hash of ['#/lifecycle', '#/audit', keyUrl.slice(keyUrl.indexOf('#'))]) {
    // Hash navigation keeps the tab (and its simulated clock).
    await page.evaluate((h) => (window.location.hash = h), hash);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).not.toHaveText(/Loading/);
    if (hash === '#/audit') {
      await page.getByRole('button', { name: 'Verify chain' }).click();
      await expect(page.getByText(/Chain OK/)).toBeVisible();
    }
    await page.locator('details.lc-text-alternative').evaluateAll((els) => els.forEach((d) => ((d as HTMLDetailsElement).open = true)));
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${hash}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }
  await page.evaluate(() => (window.location.hash = '#/lifecycle'));
  await page.getByRole('button', { name: 'Revoke axe-owner…' }).click();
  await expect(page.getByRole('dialog', { name: 'Revoke axe-owner?' })).toBeVisible();
  const principalDialog = await new AxeBuilder({ page }).analyze();
  expect(principalDialog.violations.map((v) => `principal dialog: ${v.id}`)).toEqual([]);
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke principal' }).click();
  await expect(page.getByRole('region', { name: 'Principals', exact: true })).toContainText(/Revoked \(Unspecified\)/);
});
