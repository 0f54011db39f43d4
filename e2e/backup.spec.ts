// A7: encrypted vault backup and restore through the screens of the production build.
// Back up a vault with an exportable key, a non-extractable key and a CA whose key is
// exportable; delete the site's IndexedDB (as an eviction would) and reload; a wrong
// passphrase restores nothing; the right one shows the preview, then restores: the old
// ciphertext decrypts, the CA issues and publishes its next CRL, and the audit chain
// verifies with the restore recorded. Axe-clean at every stage of the page.
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { createCa, expect, test } from './fixtures';

const PASS = 'four unrelated words: lantern quarry velvet orbit';

async function axe(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${what}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

async function generate(page: Page, template: string, name: string, exportable: boolean) {
  await page.goto('/#/keys/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill(name);
  await page.getByRole('combobox', { name: 'Template' }).selectOption(template);
  if (exportable) await page.getByRole('checkbox', { name: 'Exportable' }).check();
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** Deletes the vault's IndexedDB database as an eviction would; the open tab lets go of it. */
async function deleteVaultDatabase(page: Page) {
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const r = indexedDB.deleteDatabase('clavis');
        r.onsuccess = () => resolve();
        r.onerror = () => reject(new Error('the database was not deleted'));
      }),
  );
}

test('A7: back up, lose the vault, restore it; exportable keys and the CA work again and the audit chain records the restore', async ({ page }) => {
  // A vault: an exportable AES key with a ciphertext, a key that must stay, a CA with an exportable key.
  await generate(page, 'AES-GCM-256', 'backup orders', true);
  const keyUrl = page.url();
  await page.getByRole('textbox', { name: 'Text to encrypt' }).fill('kept through a restore');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  const output = page.getByRole('textbox', { name: 'Encrypted text' });
  await expect(output).toHaveValue(/^clavis:v1:/);
  const ciphertext = await output.inputValue();
  await generate(page, 'AES-GCM-256', 'stays behind', false);
  await generate(page, 'ECDSA-P-256', 'backup web', true);
  await createCa(page, { name: 'Backup Root', cn: 'Backup Root', exportable: true });

  // Back up.
  await page.goto('/#/backup');
  await expect(page.getByRole('heading', { level: 1, name: 'Backup and restore' })).toBeVisible();
  await axe(page, 'backup page');
  await page.getByLabel('Passphrase', { exact: true }).fill(PASS);
  await expect(page.getByText(/^Strong:/)).toBeVisible();
  await page.getByLabel('Passphrase again').fill('not the same passphrase');
  await page.getByRole('button', { name: 'Create encrypted backup' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The backup was not made' })).toContainText('The two passphrases differ');
  await page.getByLabel('Passphrase again').fill(PASS);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Create encrypted backup' }).click();
  const download = await downloading;
  const file = await download.path();
  expect(download.suggestedFilename()).toMatch(/^clavis-backup-.*\.clavisbackup$/);
  const bytes = readFileSync(file);
  expect(bytes.toString('utf8')).not.toMatch(/backup orders|Backup Root|PRIVATE KEY/);
  await expect(page.getByRole('status').filter({ hasText: /^Saved clavis-backup-/ })).toBeVisible();
  const notBackedUp = page.getByRole('region', { name: 'Not backed up' });
  await expect(notBackedUp).toContainText('stays behind');
  await expect(notBackedUp).toContainText('Non-extractable');
  await axe(page, 'backup made');

  // The vault is lost.
  await deleteVaultDatabase(page);
  await page.goto('/#/keys');
  await page.reload();
  await expect(page.getByRole('link', { name: 'backup orders' })).toHaveCount(0);
  // Clavis notices the loss and points at a backup.
  await expect(page.getByRole('alert').filter({ hasText: 'Data was lost' })).toContainText('Restore them from an encrypted backup');

  // A wrong passphrase restores nothing.
  await page.goto('/#/backup');
  await page.getByLabel('Backup file').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/json', buffer: bytes });
  await page.getByLabel('Backup passphrase').fill('a wrong passphrase entirely');
  await page.getByRole('button', { name: 'Preview restore' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Nothing was restored' })).toContainText('The passphrase does not open this backup');
  await axe(page, 'wrong passphrase');

  // The right one: preview, then restore.
  await page.getByLabel('Backup passphrase').fill(PASS);
  await page.getByRole('button', { name: 'Preview restore' }).click();
  const preview = page.getByRole('region', { name: 'What the backup holds' });
  await expect(preview).toBeVisible();
  await expect(preview.getByRole('row', { name: /^Keys/ })).toContainText('3');
  await expect(page.getByRole('region', { name: 'Cannot be restored' })).toContainText('stays behind');
  await expect(preview).toContainText(/audit log is empty: it takes the backup.s \d+ entries/);
  await axe(page, 'restore preview');
  await page.getByRole('button', { name: 'Restore this backup' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Restored / })).toBeVisible();

  // The old ciphertext decrypts again.
  await page.goto(keyUrl);
  await expect(page.getByRole('heading', { level: 1, name: 'backup orders' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Ciphertext to decrypt' }).fill(ciphertext);
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await expect(page.getByRole('textbox', { name: 'Decrypted text' })).toHaveValue('kept through a restore');

  // The CA issues and publishes its next CRL.
  await page.goto('/#/certs/issue');
  await expect(page.getByRole('combobox', { name: 'Issuing CA' })).toContainText('Backup Root');
  await page.getByRole('combobox', { name: 'Vault key' }).selectOption({ label: 'backup web (ECDSA-P-256)' });
  await page.getByRole('textbox', { name: 'Common name (CN)' }).fill('web.backup.test');
  await page.getByRole('textbox', { name: 'DNS names' }).fill('web.backup.test');
  await page.getByRole('button', { name: 'Issue certificate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'web.backup.test' })).toBeVisible();
  await page.goto('/#/ca');
  await page.getByRole('link', { name: 'CRL of Backup Root' }).click();
  const crlNumber = page.locator('dt:text-is("CRL number") + dd');
  await expect(crlNumber).toHaveText('1');
  await page.getByRole('button', { name: 'Rebuild now' }).click();
  await expect(crlNumber).toHaveText('2');

  // The audit chain verifies and records the restore.
  await page.goto('/#/audit');
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByText(/Chain OK/)).toBeVisible();
  // The restore is an entry of the log (the action filter lists it too).
  await expect(page.getByRole('cell', { name: 'Vault restore', exact: true })).toBeVisible();
});
