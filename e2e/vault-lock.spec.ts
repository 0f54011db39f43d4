// The vault lock end to end (issue 16, seed 002): turned on through the settings screen,
// the exportable key's stored record holds no extractable CryptoKey, a reload starts
// locked, an export while locked says why, and after unlocking the export gives the same
// key as before the lock was turned on. Every screen involved is axe-clean.
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { dumpIndexedDb, expect, test } from './fixtures';

const PASS = 'seed 002 vault passphrase';

async function axeClean(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${where}: ${v.id}`)).toEqual([]);
}

async function downloadJwk(page: Page): Promise<string> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download secret key (JWK)' }).click();
  return readFileSync(await (await download).path(), 'utf8');
}

test('vault lock: on through the UI, locked after a reload, export refused while locked, the same key after unlocking (issue 16)', async ({ page }) => {
  await page.goto('/#/keys/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill('payroll');
  await page.getByRole('combobox', { name: 'Template' }).selectOption('AES-GCM-256');
  await page.getByRole('checkbox', { name: 'Exportable' }).check();
  await expect(page.getByText(/protects exportable keys only/)).toBeVisible();
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'payroll' })).toBeVisible();
  const keyUrl = page.url();
  const before = await downloadJwk(page);
  expect(JSON.parse(before)).toMatchObject({ kty: 'oct', alg: 'A256GCM' });
  await expect(page.getByRole('link', { name: 'Vault lock: Off' })).toBeVisible();

  // Turn the lock on from the header's link.
  await page.getByRole('link', { name: 'Vault lock: Off' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Vault lock' })).toBeVisible();
  await axeClean(page, 'lock settings (off)');
  const enable = page.getByRole('region', { name: 'Turn on the vault lock' });
  await enable.getByLabel('Vault passphrase', { exact: true }).fill(PASS);
  await enable.getByLabel('Confirm vault passphrase').fill(PASS);
  await enable.getByRole('button', { name: 'Turn on the vault lock' }).click();
  await expect(page.getByRole('link', { name: 'Vault lock: Unlocked' })).toBeVisible();
  await axeClean(page, 'lock settings (unlocked)');
  expect(await page.content()).not.toContain(PASS);

  // The stored record holds the key sealed: no extractable CryptoKey for it.
  const keyId = decodeURIComponent(keyUrl.split('#/keys/')[1]!);
  const dump = await dumpIndexedDb(page);
  const material = dump['clavis']!['keyMaterial']!.find((r) => (r as { id: string }).id === keyId) as Record<string, unknown>;
  expect(material.secret).toBeUndefined();
  expect(material.sealed).toMatchObject({ secret: { ct: { __bytes: true }, iv: { __bytes: true } } });
  expect(JSON.stringify(dump)).not.toMatch(/"extractable":true,"algorithm":"AES-GCM"/);

  // A reload is a new session: locked.
  await page.goto(keyUrl);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'payroll' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Vault lock: Locked' })).toBeVisible();
  const exportSection = page.getByRole('region', { name: 'Export the secret key' });
  await expect(exportSection.getByText('Unlock the vault to use this key.')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Use this key' }).getByText('Unlock the vault to use this key.')).toBeVisible();
  await axeClean(page, 'key page (locked)');
  await exportSection.getByRole('button', { name: 'Download secret key (JWK)' }).click();
  await expect(exportSection.getByRole('alert')).toContainText(/the vault is locked/i);
  await expect(exportSection.getByRole('alert')).toContainText('VAULT_LOCKED');

  // Unlock from the notice; the dialog is axe-clean and refuses a wrong passphrase.
  await exportSection.getByRole('button', { name: 'Unlock the vault' }).click();
  const dialog = page.getByRole('dialog', { name: 'Unlock the vault' });
  await expect(dialog).toBeVisible();
  await axeClean(page, 'unlock dialog');
  await dialog.getByLabel('Vault passphrase').fill('not the passphrase');
  await dialog.getByRole('button', { name: 'Unlock' }).click();
  await expect(dialog.getByRole('alert')).toContainText('not the vault passphrase');
  await dialog.getByLabel('Vault passphrase').fill(PASS);
  await dialog.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('link', { name: 'Vault lock: Unlocked' })).toBeVisible();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Unlock the vault to use this key.')).toHaveCount(0);

  // The same key as before the lock was turned on.
  const after = await downloadJwk(page);
  expect(JSON.parse(after)).toEqual(JSON.parse(before));
  await axeClean(page, 'key page (unlocked)');

  // Lock now: the export is refused again.
  await page.getByRole('button', { name: 'Lock now' }).click();
  await expect(page.getByRole('link', { name: 'Vault lock: Locked' })).toBeVisible();
  await expect(exportSection.getByText('Unlock the vault to use this key.')).toBeVisible();
});
