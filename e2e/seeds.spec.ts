// The user's seed scenarios acted out through the screens of the production build in
// Chromium, first step to last, with the artifacts checked by real tools where one
// applies. Seed 001: a session key wrapped under a Diffie–Hellman-derived key; ML-KEM as
// the post-quantum counterpart. Seed 002: a passphrase-protected secret key that Python
// opens. Seed 003: a CA-issued certificate leaves as PKCS #12 and .p7b that openssl
// opens. (Issue 16; seeds 000 and 004 are not acted out here yet.)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

async function axe(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${what}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** Generates a key through the form and returns its page URL. */
async function generate(page: Page, template: string, name: string, opts: { exportable?: boolean } = {}): Promise<string> {
  await page.goto('/#/keys/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill(name);
  await page.getByRole('combobox', { name: 'Template' }).selectOption(template);
  if (opts.exportable) await page.getByRole('checkbox', { name: 'Exportable' }).check();
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  return page.url();
}

/** The key check value (or fingerprint) the key page shows. */
async function shownCheckValue(page: Page): Promise<string> {
  return (await page.locator('.fingerprint code').textContent())!.trim();
}

/** Derives on the current key page with the peer already chosen; returns the new key's URL. */
async function derive(page: Page, name: string): Promise<string> {
  await page.getByRole('textbox', { name: 'Name of the shared key' }).fill(name);
  await page.getByRole('button', { name: 'Derive shared key' }).click();
  const link = page.getByRole('link', { name });
  await expect(link).toBeVisible();
  return new URL((await link.getAttribute('href'))!, page.url()).toString();
}

test('seed 001: Alice and Bob derive one wrapping key from their X25519 keys; the session key Alice wraps unwraps at Bob with the same check value', async ({ page }) => {
  test.setTimeout(300_000);
  const alice = await generate(page, 'X25519', 'Alice DH');
  const bob = await generate(page, 'X25519', 'Bob DH');
  const session = await generate(page, 'AES-GCM-256', 'KDC session key', { exportable: true });
  const sessionKcv = await shownCheckValue(page);

  await page.goto(alice);
  await expect(page.getByRole('combobox', { name: 'Other party’s public key' })).toHaveValue(/.+/);
  await expect(page.getByRole('combobox', { name: 'Other party’s public key' }).locator('option:checked')).toHaveText('Bob DH');
  await axe(page, 'X25519 key page');
  const aliceShared = await derive(page, 'Alice wrapping key');
  await page.goto(bob);
  const bobShared = await derive(page, 'Bob wrapping key');

  await page.goto(aliceShared);
  const aliceKcv = await shownCheckValue(page);
  await page.getByRole('combobox', { name: 'Key to wrap' }).selectOption({ label: 'KDC session key (AES-GCM-256)' });
  await page.getByRole('button', { name: 'Wrap key', exact: true }).click();
  const wrapped = await page.getByRole('textbox', { name: 'Wrapped key (base64)' }).inputValue();
  expect(wrapped).toMatch(/^[A-Za-z0-9+/]+=*$/);

  await page.goto(bobShared);
  expect(await shownCheckValue(page)).toBe(aliceKcv);
  await page.getByRole('textbox', { name: 'Wrapped key to unwrap (base64)' }).fill(wrapped);
  await page.getByRole('textbox', { name: 'Name of the unwrapped key' }).fill('Session key at Bob');
  await page.getByRole('button', { name: 'Unwrap key', exact: true }).click();
  await page.getByRole('link', { name: 'Session key at Bob' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Session key at Bob' })).toBeVisible();
  expect(await shownCheckValue(page)).toBe(sessionKcv);
  await page.goto(session);
  await axe(page, 'AES key page');

  // The same scenario at phone size: the key page with its new sections stays usable and axe-clean.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(alice);
  await expect(page.getByRole('button', { name: 'Derive shared key' })).toBeVisible();
  await axe(page, 'X25519 key page (phone)');
});

test('seed 001, post-quantum: an ML-KEM-768 key encapsulates and decapsulates through its page to keys with one check value', async ({ page }) => {
  test.setTimeout(180_000);
  await generate(page, 'ML-KEM-768', 'PQ KEM key');
  await page.getByRole('button', { name: 'Encapsulate', exact: true }).click();
  const sent = page.getByRole('status').filter({ hasText: /^Made / });
  await expect(sent).toBeVisible();
  const sentKcv = (await sent.locator('code').textContent())!;
  await page.getByRole('button', { name: 'Use below to decapsulate' }).click();
  await page.getByRole('button', { name: 'Decapsulate', exact: true }).click();
  const received = page.getByRole('status').filter({ hasText: /^Recovered / });
  await expect(received).toBeVisible();
  expect((await received.locator('code').textContent())!).toBe(sentKcv);
  await axe(page, 'ML-KEM key page');
});

/** RFC 7518 PBES2-HS512+A256KW / A256GCM opened with Python cryptography's primitives. */
const PY_OPEN_JWE = String.raw`
import base64, json, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
def b64d(s): return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))
h64, ek, iv, ct, tag = open(sys.argv[1]).read().strip().split('.')
h = json.loads(b64d(h64))
kek = PBKDF2HMAC(algorithm=hashes.SHA512(), length=32, salt=h['alg'].encode() + b'\x00' + b64d(h['p2s']), iterations=h['p2c']).derive(sys.argv[2].encode())
jwk = json.loads(AESGCM(aes_key_unwrap(kek, b64d(ek))).decrypt(b64d(iv), b64d(ct) + b64d(tag), h64.encode()))
print(b64d(jwk['k']).hex())
`;

test('seed 002: a secret key exported under a passphrase opens in Python to the same key bytes, and imports back with the same check value', async ({ page }) => {
  test.setTimeout(180_000);
  const PASS = 'seed 002 e2e passphrase';
  await generate(page, 'AES-GCM-256', 'Payroll key', { exportable: true });
  const kcv = await shownCheckValue(page);
  const section = page.getByRole('region', { name: 'Export the secret key' });
  await section.getByLabel('Passphrase', { exact: true }).fill(PASS);
  await section.getByLabel('Confirm passphrase').fill(PASS);
  const jweDownload = page.waitForEvent('download');
  await section.getByRole('button', { name: 'Download passphrase-protected key (JWE)' }).click();
  const jwePath = await (await jweDownload).path();
  const rawDownload = page.waitForEvent('download');
  await section.getByRole('button', { name: 'Download raw key bytes' }).click();
  const raw = readFileSync(await (await rawDownload).path());

  const py = spawnSync('python3', ['-c', PY_OPEN_JWE, jwePath, PASS], { encoding: 'utf8' });
  expect(py.status, py.stderr).toBe(0);
  expect(py.stdout.trim()).toBe(raw.toString('hex'));

  await page.goto('/#/keys/import');
  await page.getByRole('textbox', { name: /Or paste the key/ }).fill(readFileSync(jwePath, 'utf8'));
  await expect(page.getByText(/Detected format: Passphrase-protected key: JWE/)).toBeVisible();
  await page.getByRole('textbox', { name: /^Name/ }).fill('Payroll key (restored)');
  await page.getByLabel('Passphrase of the encrypted key').fill(PASS);
  await page.getByRole('button', { name: 'Import key' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Payroll key (restored)' })).toBeVisible();
  expect(await shownCheckValue(page)).toBe(kcv);
});

test('seed 003: a root CA issues a TLS certificate for an exportable vault key; its PKCS #12 and .p7b open in openssl', async ({ page }) => {
  test.setTimeout(240_000);
  const PASS = 'seed 003 p12 passphrase';
  await page.goto('/#/ca/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill('Seed Root');
  await page.getByRole('textbox', { name: 'Common name (CN)' }).fill('Seed Root CA');
  await page.getByRole('button', { name: 'Create root CA' }).click();
  await expect(page.getByRole('link', { name: 'Seed Root', exact: true })).toBeVisible();
  await generate(page, 'ECDSA-P-256', 'seed server key', { exportable: true });

  await page.goto('/#/certs/issue');
  await page.getByRole('combobox', { name: 'Vault key' }).selectOption({ label: 'seed server key (ECDSA-P-256)' });
  await page.getByRole('textbox', { name: 'Common name (CN)' }).fill('seed.example.test');
  await page.getByRole('textbox', { name: 'DNS names' }).fill('seed.example.test');
  await page.getByRole('button', { name: 'Issue certificate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'seed.example.test' })).toBeVisible();
  await axe(page, 'certificate page');

  await page.getByLabel('PKCS #12 passphrase', { exact: true }).fill(PASS);
  await page.getByLabel('Confirm PKCS #12 passphrase').fill(PASS);
  const p12 = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download PKCS #12 (.p12)' }).click();
  const p12Path = await (await p12).path();
  const info = spawnSync('openssl', ['pkcs12', '-in', p12Path, '-passin', `pass:${PASS}`, '-info', '-nokeys'], { encoding: 'utf8' });
  expect(info.status, info.stderr).toBe(0);
  expect(`${info.stdout}${info.stderr}`).toContain('MAC: sha256');
  expect(info.stdout.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
  const key = spawnSync('openssl', ['pkcs12', '-in', p12Path, '-passin', `pass:${PASS}`, '-nocerts', '-nodes'], { encoding: 'utf8' });
  expect(key.stdout).toContain('-----BEGIN PRIVATE KEY-----');

  const p7b = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download chain with root (.p7b)' }).click();
  const printed = spawnSync('openssl', ['pkcs7', '-inform', 'DER', '-in', await (await p7b).path(), '-print_certs', '-noout'], { encoding: 'utf8' });
  expect(printed.status, printed.stderr).toBe(0);
  expect(printed.stdout).toContain('CN = seed.example.test');
  expect(printed.stdout).toContain('CN = Seed Root CA');
});
