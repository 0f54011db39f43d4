// The key vault end to end in Chromium, through the screens of the production build:
// every template generates, survives a reload and a browser restart, and still works;
// stored private and secret keys are non-extractable; import works by drag and drop;
// every bad input gets a readable message. (Issue: foundation; PRODUCT.md A1–A6, A8.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Page } from '@playwright/test';
import { TEMPLATES, TEMPLATE_NAMES, type KeyTemplate } from '../src/engine/keys/templates';
import { chromiumLaunchOptions } from '../scripts/browser.mjs';
import { dumpIndexedDb, expect, SECRET_PATTERNS, test } from './fixtures';

async function generate(page: Page, t: KeyTemplate, name: string, opts: { exportable?: boolean } = {}) {
  await page.goto('/#/keys/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill(name);
  await page.getByRole('combobox', { name: 'Template' }).selectOption(t.name);
  if (opts.exportable) await page.getByRole('checkbox', { name: 'Exportable' }).check();
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** Exercises the key on its page: a round trip for what it can do. */
async function use(page: Page, t: KeyTemplate, message: string) {
  if (t.operations.includes('encrypt') && t.operations.includes('decrypt')) {
    await page.getByRole('textbox', { name: 'Text to encrypt' }).fill(message);
    await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
    await page.getByRole('button', { name: 'Use below to decrypt' }).click();
    await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
    await expect(page.getByRole('textbox', { name: 'Decrypted text' })).toHaveValue(message);
    return 'encrypt';
  }
  if (t.operations.includes('sign')) {
    await page.getByRole('textbox', { name: 'Message to sign' }).fill(message);
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.getByRole('button', { name: 'Use below to verify' }).click();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect(page.getByText(/^✓ Valid:/)).toBeVisible();
    return 'sign';
  }
  // Key agreement, key wrap and KEM keys: the public half (or KCV) is what the page offers.
  if (t.kind === 'key-pair') {
    await expect(page.getByRole('textbox', { name: 'Public key (PEM)' })).toHaveValue(/BEGIN PUBLIC KEY/);
  } else {
    await expect(page.getByRole('heading', { level: 2, name: 'Key check value' })).toBeVisible();
  }
  return 'inspect';
}

async function availableTemplates(page: Page): Promise<KeyTemplate[]> {
  await page.goto('/#/keys/new');
  const out: KeyTemplate[] = [];
  for (const name of TEMPLATE_NAMES) {
    const option = page.getByRole('combobox', { name: 'Template' }).locator(`option[value="${name}"]`);
    if (await option.isEnabled()) out.push(TEMPLATES.get(name)!);
  }
  return out;
}

test('A1/A3 every template generates through the UI, survives a reload and still works', async ({ page }) => {
  const templates = await availableTemplates(page);
  // Chromium offers every template, the post-quantum ones and ChaCha20-Poly1305 included (M9).
  expect(templates.map((t) => t.name)).toEqual([...TEMPLATE_NAMES]);
  const urls: Array<[KeyTemplate, string]> = [];
  for (const t of templates) {
    await generate(page, t, `e2e ${t.name}`);
    urls.push([t, page.url()]);
  }
  await page.reload();
  await page.goto('/#/keys');
  await expect(page.getByRole('status')).toHaveText(new RegExp(`${templates.length} keys`));
  for (const [t, url] of urls) {
    await page.goto(url);
    await expect(page.getByRole('heading', { level: 1, name: `e2e ${t.name}` })).toBeVisible();
    await use(page, t, `after reload: ${t.name}`);
  }
});

test('A2/H4 stored private and secret keys are non-extractable, unless their job needs otherwise', async ({ page }) => {
  await generate(page, TEMPLATES.get('AES-GCM-256')!, 'data key');
  await generate(page, TEMPLATES.get('ECDSA-P-256')!, 'signer');
  await generate(page, TEMPLATES.get('RSA-OAEP-2048')!, 'rsa');
  await generate(page, TEMPLATES.get('ECDSA-P-384')!, 'exportable signer', { exportable: true });
  await generate(page, TEMPLATES.get('FERNET')!, 'fernet');
  await expect(page.getByText('Exportable', { exact: true }).first()).toBeVisible();
  await expect(page.getByText(/shared secret/).first()).toBeVisible();

  const dump = await dumpIndexedDb(page);
  const clavis = dump['clavis']!;
  const infos = clavis['keys'] as Array<{ id: string; name: string; extractable: boolean }>;
  const materials = clavis['keyMaterial'] as Array<Record<string, { __cryptoKey?: boolean; type: string; extractable: boolean }>>;
  expect(infos).toHaveLength(5);
  const byName = new Map(infos.map((i) => [i.name, i]));
  for (const m of materials) {
    const info = infos.find((i) => i.id === (m['id'] as unknown as string))!;
    for (const [field, key] of Object.entries(m)) {
      if (!key || typeof key !== 'object' || !key.__cryptoKey) continue;
      if (key.type === 'public') continue;
      // Only the Fernet key and the key created exportable may be extractable.
      expect(`${info.name}.${field}:${key.extractable}`).toBe(`${info.name}.${field}:${info.extractable}`);
    }
  }
  expect(byName.get('data key')!.extractable).toBe(false);
  expect(byName.get('signer')!.extractable).toBe(false);
  expect(byName.get('rsa')!.extractable).toBe(false);
  expect(byName.get('exportable signer')!.extractable).toBe(true);
  expect(byName.get('fernet')!.extractable).toBe(true);

  // The page itself cannot export a non-extractable key it reads back from IndexedDB.
  const refused = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('clavis');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const all = await new Promise<Array<{ secret?: CryptoKey; privateKey?: CryptoKey }>>((res) => {
      const r = db.transaction('keyMaterial').objectStore('keyMaterial').getAll();
      r.onsuccess = () => res(r.result);
    });
    db.close();
    const results: string[] = [];
    for (const m of all) {
      const k = m.secret ?? m.privateKey;
      if (!k || k.extractable) continue;
      try {
        await crypto.subtle.exportKey(k.type === 'secret' ? 'raw' : 'pkcs8', k);
        results.push('exported');
      } catch {
        results.push('refused');
      }
    }
    return results;
  });
  expect(refused).toEqual(['refused', 'refused', 'refused']);

  // H4: nothing secret in localStorage/sessionStorage or the metadata store.
  const storage = await page.evaluate(() => ({ ls: { ...localStorage }, ss: { ...sessionStorage } }));
  expect(Object.keys(storage.ls).every((k) => k.startsWith('clavis.'))).toBe(true);
  expect(storage.ss).toEqual({});
  const text = JSON.stringify(infos) + JSON.stringify(storage);
  for (const p of SECRET_PATTERNS) expect(text).not.toMatch(p);
});

test('A3 keys survive a browser restart (persistent profile) and still decrypt', async ({ baseURL }) => {
  const dir = mkdtempSync(join(tmpdir(), 'clavis-profile-'));
  try {
    const first = await chromium.launchPersistentContext(dir, { ...chromiumLaunchOptions(), headless: true, baseURL });
    const page = await first.newPage();
    await generate(page, TEMPLATES.get('AES-GCM-256')!, 'survives restart');
    const url = page.url();
    await page.getByRole('textbox', { name: 'Text to encrypt' }).fill('written before the restart');
    await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
    const output = page.getByRole('textbox', { name: 'Encrypted text' });
    await expect(output).toHaveValue(/^clavis:v1:/);
    const ciphertext = await output.inputValue();
    await first.close();

    const second = await chromium.launchPersistentContext(dir, { ...chromiumLaunchOptions(), headless: true, baseURL });
    const again = await second.newPage();
    await again.goto(url);
    await expect(again.getByRole('heading', { level: 1, name: 'survives restart' })).toBeVisible();
    await again.getByRole('textbox', { name: 'Ciphertext to decrypt' }).fill(ciphertext);
    await again.getByRole('button', { name: 'Decrypt', exact: true }).click();
    await expect(again.getByRole('textbox', { name: 'Decrypted text' })).toHaveValue('written before the restart');
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Made with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 | openssl pkey -pubout
const OPENSSL_P256_PUBLIC = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsNg1JjtaqpJfJIeWC9AbtVgccZzW
wnxSM4lLEzzEvC5a2EpFlBRpLu1PaI5476V9mgkhyZG42rJDbsdjvDROVg==
-----END PUBLIC KEY-----
`;

test('A5 a key file dropped on the import zone is sniffed and imported', async ({ page }) => {
  await page.goto('/#/keys/import');
  const zone = page.locator('.drop-zone');
  const dataTransfer = await page.evaluateHandle((pem) => {
    const dt = new DataTransfer();
    dt.items.add(new File([pem], 'partner.pem', { type: 'application/x-pem-file' }));
    return dt;
  }, OPENSSL_P256_PUBLIC);
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await expect(page.getByText(/SPKI|public key/i).first()).toBeVisible();
  await expect(page.getByRole('textbox', { name: /^Name/ })).toHaveValue('partner');
  await page.getByRole('button', { name: 'Import key' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'partner' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Public key (PEM)' })).toHaveValue(OPENSSL_P256_PUBLIC.trim() + '\n');
});

test('errors: bad input gets a readable message and loses nothing', async ({ page }) => {
  // Empty name.
  await page.goto('/#/keys/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill('   ');
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByRole('alert')).toContainText(/name/i);

  // Garbage key data.
  await page.goto('/#/keys/import');
  await page.getByRole('textbox', { name: 'Or paste the key (PEM, JWK or Fernet key)' }).fill('-----BEGIN PUBLIC KEY-----\n!!!not base64!!!\n-----END PUBLIC KEY-----');
  // The format is checked before anything is stored: the message comes at once and Import stays off.
  await expect(page.getByRole('alert')).toContainText(/not valid base64/i);
  await expect(page.getByRole('button', { name: 'Import key' })).toBeDisabled();

  // A tampered ciphertext.
  await generate(page, TEMPLATES.get('AES-GCM-256')!, 'tamper target');
  await page.getByRole('textbox', { name: 'Text to encrypt' }).fill('integrity matters');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  const output = page.getByRole('textbox', { name: 'Encrypted text' });
  await expect(output).toHaveValue(/^clavis:v1:/);
  const ct = await output.inputValue();
  const flipped = ct.slice(0, -6) + (ct.at(-6) === 'A' ? 'B' : 'A') + ct.slice(-5);
  await page.getByRole('textbox', { name: 'Ciphertext to decrypt' }).fill(flipped);
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText(/decrypt|tamper|wrong key/i);
  await page.getByRole('textbox', { name: 'Ciphertext to decrypt' }).fill('clavis:v1:AAAA');
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText(/malformed|truncated|not a Clavis|too short/i);

  // Nothing was lost: exactly the one key made above is in the vault.
  await page.goto('/#/keys');
  await expect(page.getByRole('status')).toHaveText(/1 key/);
});

test('errors: a wrong passphrase on an encrypted PKCS#8 import says so and imports nothing', async ({ page }) => {
  await generate(page, TEMPLATES.get('ECDSA-P-256')!, 'to export', { exportable: true });
  await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
  await page.getByLabel('Confirm passphrase').fill('correct horse battery');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download encrypted PKCS #8' }).click();
  const file = await (await download).path();
  expect(await page.content()).not.toContain('correct horse battery');

  await page.goto('/#/keys/import');
  await page.getByLabel('Key file').setInputFiles(file);
  await expect(page.getByLabel('Passphrase of the encrypted key')).toBeVisible();
  await page.getByRole('textbox', { name: /^Name/ }).fill('reimported');
  await page.getByLabel('Passphrase of the encrypted key').fill('wrong passphrase');
  await page.getByRole('button', { name: 'Import key' }).click();
  await expect(page.getByRole('alert')).toContainText(/passphrase/i);
  await page.getByLabel('Passphrase of the encrypted key').fill('correct horse battery');
  await page.getByRole('button', { name: 'Import key' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'reimported' })).toBeVisible();
  await page.goto('/#/keys');
  await expect(page.getByRole('status')).toHaveText(/2 keys/);
});

test('G2 the vault screens are axe-clean and keyboard reachable', async ({ page }) => {
  await generate(page, TEMPLATES.get('ECDSA-P-256')!, 'axe key');
  for (const path of ['/#/', '/#/keys', '/#/keys/new', '/#/keys/import', new URL(page.url()).hash ? page.url() : '/#/keys']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${path}: ${v.id}`)).toEqual([]);
  }
  // Keyboard: from the top of the page, Tab reaches the skip link and then the main navigation.
  await page.goto('/#/');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.locator(':focus')).toHaveText(/skip/i);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
  expect(focused.length).toBeGreaterThan(0);
});
