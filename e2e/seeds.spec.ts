// The user's seed scenarios acted out through the screens of the production build in
// Chromium, first step to last, with the artifacts checked by real tools where one
// applies. Seed 001: a session key wrapped under a Diffie–Hellman-derived key; ML-KEM as
// the post-quantum counterpart. Seed 002: a passphrase-protected secret key that Python
// opens. Seed 003: a CA-issued certificate leaves as PKCS #12 and .p7b that openssl
// opens. Seed 000: a Fernet key made for user123, stored, retrieved by its user, used
// with Python's Fernet both ways, distributed by the KDC. Seed 004: a key management
// system with central distribution, a PKI with revocation, Diffie–Hellman and key
// compromise, checked with openssl. (Issue 16.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { findPythonWithCryptography, haveOpenssl } from '../src/testing/tools';
import { expect, needsTool, test } from './fixtures';

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

/** Python's Fernet with a key and a token from the screens: decrypts Clavis's token, makes one of its own. */
const PY_FERNET = String.raw`
import sys
from cryptography.fernet import Fernet
f = Fernet(sys.argv[1].encode())
print(f.decrypt(sys.argv[2].encode()).decode())
print(f.encrypt(b'reply from Python for user123').decode())
`;

/** Registers a KDC principal through the Principals screen. */
async function registerPrincipal(page: Page, name: string, kind: 'user' | 'service') {
  await page.goto('/#/kdc/principals');
  await page.getByLabel('Principal name').fill(name);
  await page.getByLabel('Kind').selectOption(kind);
  await page.getByRole('button', { name: 'Register principal' }).click();
  await expect(page.getByRole('status')).toContainText(`Registered ${name} (${kind})`);
}

/** Runs a whole KDC distribution from A to B on the Distribution screen; returns the session key id. */
async function distribute(page: Page, a: string, b: string): Promise<string> {
  await page.goto('/#/kdc');
  await page.getByLabel('A (client)').selectOption(a);
  await page.getByLabel('B (service)').selectOption(b);
  await page.getByRole('button', { name: 'Start distribution' }).click();
  const messages = page.getByRole('list', { name: 'Protocol messages' }).getByRole('article');
  await expect(messages).toHaveCount(1);
  for (let i = 2; i <= 5; i++) {
    await page.getByRole('button', { name: 'Next step' }).click();
    await expect(messages).toHaveCount(i);
  }
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByRole('status')).toContainText('Key confirmed on both sides');
  return /Session key (kdk_[0-9a-f]{32})/.exec((await page.getByRole('status').textContent()) ?? '')![1]!;
}

test('seed 000: a Fernet key for user123 is generated, stored, retrieved by its user, opens tokens in Python both ways, survives rotation, and the KDC distributes a key to user123', async ({ page }) => {
  const python = findPythonWithCryptography();
  needsTool(python !== null, 'python3 cryptography');
  test.setTimeout(300_000);
  // 1. Generate a symmetric key and 2. associate it with the user id.
  await page.goto('/#/keys/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill('Symmetric key of user123');
  await page.getByRole('textbox', { name: 'Owner' }).fill('user123');
  await page.getByRole('combobox', { name: 'Template' }).selectOption('FERNET');
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Symmetric key of user123' })).toBeVisible();
  // A key of another user, so the retrieval below has something to leave out.
  await generate(page, 'AES-GCM-256', 'Someone else’s key');

  // 3. Stored: it survives a reload. 4. Retrieved by user id: the Owner filter finds it and only it.
  await page.goto('/#/keys');
  await page.reload();
  await page.getByRole('combobox', { name: 'Owner' }).selectOption('user123');
  await expect(page.getByRole('status').filter({ hasText: /^Showing 1 of 2 keys$/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Someone else’s key' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Symmetric key of user123' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Symmetric key of user123' })).toBeVisible();

  // The key as the seed prints it: 256 bits, URL-safe base64 (Fernet specification).
  await page.getByRole('button', { name: 'Show Fernet key' }).click();
  const key = await page.getByRole('textbox', { name: 'Fernet key', exact: true }).inputValue();
  expect(key).toMatch(/^[A-Za-z0-9_-]{43}=$/);
  expect(Buffer.from(key, 'base64url')).toHaveLength(32);
  await page.getByRole('button', { name: 'Hide Fernet key' }).click();

  // The key in use: a token made here opens in Python, and Python's token opens here.
  const MESSAGE = 'Distributed Symmetric Key for User123';
  await page.getByRole('textbox', { name: 'Text to encrypt' }).fill(MESSAGE);
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  const token = await page.getByRole('textbox', { name: 'Fernet token', exact: true }).inputValue();
  expect(token).toMatch(/^gAAAAA[A-Za-z0-9_-]+=*$/);
  const py = spawnSync(python!, ['-c', PY_FERNET, key, token], { encoding: 'utf8' });
  expect(py.status, py.stderr).toBe(0);
  const [opened, pyToken] = py.stdout.trim().split('\n');
  expect(opened).toBe(MESSAGE);
  await page.getByRole('textbox', { name: 'Fernet token to decrypt' }).fill(pyToken!);
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await expect(page.getByRole('textbox', { name: 'Decrypted text' })).toHaveValue('reply from Python for user123');

  // The seed's "add key rotation": version 2 becomes primary, version 1 only processes, and
  // the token made before the rotation still opens with version 1.
  await page.getByRole('button', { name: 'Rotate key' }).click();
  await expect(page.getByRole('link', { name: 'version 2', exact: true })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Versions of this key' })).toContainText('Process only');
  await page.getByRole('textbox', { name: 'Fernet token to decrypt' }).fill(token);
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await expect(page.getByRole('textbox', { name: 'Decrypted text' })).toHaveValue(MESSAGE);
  await axe(page, 'Fernet key page');

  // Distribution with authentication (the seed's "use secure channels, add authentication"):
  // the KDC gives user123 and a service one session key, each copy checked against its record.
  await registerPrincipal(page, 'user123', 'user');
  await registerPrincipal(page, 'storage', 'service');
  const keyId = await distribute(page, 'user123', 'storage');
  await page.goto('/#/kdc/keys');
  await page.getByRole('button', { name: `Verify user123's copy of ${keyId}` }).click();
  await expect(page.getByRole('status')).toContainText(`user123's key ${keyId} matches the KDC's record`);
  await axe(page, 'KDC distributed keys');
});

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Clicks a download button and saves the file into `dir` as `name`. */
async function saveDownload(page: Page, button: string, dir: string, name: string): Promise<string> {
  const done = page.waitForEvent('download');
  await page.getByRole('button', { name: button, exact: true }).click();
  const path = join(dir, name);
  await (await done).saveAs(path);
  return path;
}

test('seed 004: a key management system — central distribution, a PKI whose RSA-2048 client certificate openssl verifies, Diffie–Hellman with the man in the middle caught, replay refused, and revocation on compromise that openssl sees in the CRL', async ({ page }) => {
  needsTool(haveOpenssl(), 'openssl');
  test.setTimeout(480_000);
  const dir = mkdtempSync(join(tmpdir(), 'clavis-seed-004-'));

  // 1. Centralized key distribution: Client A gets a symmetric key from the key server and encrypts data under it.
  await registerPrincipal(page, 'client-a', 'user');
  await registerPrincipal(page, 'data-service', 'service');
  await distribute(page, 'client-a', 'data-service');
  await page.getByLabel('Message', { exact: true }).fill('client A data');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('list', { name: 'Chat' })).toContainText('client-a → data-service: client A data');
  // Replay attacks mitigated by nonces: the replayed KDC reply is refused by the nonce check.
  await page.goto('/#/kdc/attacks');
  await page.getByRole('radio', { name: /^Replay of an old KDC reply/ }).check();
  await page.getByRole('button', { name: 'Run attack' }).click();
  await expect(page.getByRole('region', { name: /Against Clavis's protocol: attack refused/ }).locator('strong.kdc-refusing')).toContainText("A's nonce matches an outstanding request");

  // 2. PKI: a CA, Client B's RSA-2048 key pair (public key as SPKI PEM), a certificate for it.
  await page.goto('/#/ca/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill('Seed 004 CA');
  await page.getByRole('textbox', { name: 'Common name (CN)' }).fill('Seed 004 Root CA');
  await page.getByRole('button', { name: 'Create root CA' }).click();
  await page.getByRole('link', { name: 'Seed 004 CA', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Seed 004 Root CA' })).toBeVisible();
  const rootPem = await saveDownload(page, 'Download PEM', dir, 'root.pem');

  const clientB = await generate(page, 'RSASSA-PKCS1-v1_5-2048', 'Client B key');
  const publicPem = await saveDownload(page, 'Download public key (PEM)', dir, 'public_key.pem');
  const pub = openssl(['pkey', '-pubin', '-in', publicPem, '-noout', '-text']);
  expect(pub.status, pub.out).toBe(0);
  expect(pub.out).toMatch(/Public-Key: \(2048 bit\)/);
  expect(pub.out).toMatch(/Exponent: 65537/);

  await page.goto('/#/certs/issue');
  await page.getByRole('combobox', { name: 'Vault key' }).selectOption({ label: 'Client B key (RSASSA-PKCS1-v1_5-2048)' });
  await page.getByRole('combobox', { name: 'Profile' }).selectOption('tls-client');
  await page.getByRole('textbox', { name: 'Common name (CN)' }).fill('client-b');
  await page.getByRole('button', { name: 'Issue certificate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'client-b' })).toBeVisible();
  const certUrl = page.url();
  await expect(page.getByRole('region', { name: 'Verification' })).toContainText('✓ The chain verifies');
  const certPem = await saveDownload(page, 'Download PEM', dir, 'client-b.pem');
  // Client B's certificate verifies against the CA and carries the key pair's public key.
  const verified = openssl(['verify', '-x509_strict', '-purpose', 'sslclient', '-CAfile', rootPem, certPem]);
  expect(verified.status, verified.out).toBe(0);
  const body = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');
  expect(body(openssl(['x509', '-in', certPem, '-noout', '-pubkey']).out)).toBe(body(readFileSync(publicPem, 'utf8')));

  // 3. Secure key exchange with Diffie–Hellman: the seed's finite-field version with small numbers…
  await page.goto('/#/exchange');
  await page.getByRole('button', { name: 'Compute step by step' }).click();
  await expect(page.getByRole('table', { name: /p = 23, g = 5: both sides reach/ })).toBeVisible();
  // …and ECDH where a man in the middle wins without authentication…
  await page.getByRole('combobox', { name: 'Attacker in the middle' }).selectOption('substitute');
  await page.getByRole('button', { name: 'Start exchange' }).click();
  await page.getByRole('button', { name: 'Run to the end' }).click();
  await expect(page.getByRole('alert')).toContainText('Fingerprints differ: a man in the middle');
  // …and is caught with certificates from a trusted CA and mutual authentication.
  await page.getByRole('radio', { name: /^Authenticated/ }).check();
  await page.getByRole('button', { name: 'Create demo parties (Alice, Bob, Mallory)' }).click();
  await expect(page.getByRole('combobox', { name: 'Initiator certificate' })).toHaveValue(/.+/);
  await page.getByRole('combobox', { name: 'Attacker in the middle' }).selectOption('substitute');
  await page.getByRole('button', { name: 'Start exchange' }).click();
  await page.getByRole('button', { name: 'Run to the end' }).click();
  await expect(page.getByRole('alert')).toContainText('Attack detected — exchange refused (signature)');
  // Forward secrecy: a recorded conversation stays sealed after the long-term keys are stolen.
  await page.getByRole('button', { name: 'Record, then steal the long-term keys' }).click();
  await expect(page.getByRole('region', { name: /Ephemeral ECDH keys/ })).toContainText('Recorded message recovered: no — it stays sealed');

  // 4. Key revocation on compromise: the certificate is revoked, the vault key marked compromised, the CRL lists it.
  await page.goto(certUrl);
  await expect(page.getByRole('heading', { level: 1, name: 'client-b' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Reason' }).selectOption('keyCompromise');
  await page.getByRole('button', { name: 'Revoke…' }).click();
  await page.getByRole('dialog', { name: 'Revoke this certificate?' }).getByRole('button', { name: 'Revoke certificate' }).click();
  await expect(page.getByRole('region', { name: 'Verification' })).toContainText('revocation: revoked');
  await page.getByRole('link', { name: 'See the CRL of Seed 004 CA' }).click();
  const crlPem = await saveDownload(page, 'Download CRL (PEM)', dir, 'crl.pem');
  const revoked = openssl(['verify', '-x509_strict', '-crl_check', '-CRLfile', crlPem, '-CAfile', rootPem, certPem]);
  expect(revoked.status).not.toBe(0);
  expect(revoked.out).toMatch(/certificate revoked/);
  const crlText = openssl(['crl', '-in', crlPem, '-noout', '-text']);
  expect(crlText.out).toMatch(/Key Compromise/);
  await page.goto(clientB);
  await expect(page.getByText('Compromised').first()).toBeVisible();
  // The revocation list of the lifecycle (the seed's revoked_keys.json) names the key.
  await page.goto('/#/lifecycle');
  await expect(page.getByRole('table', { name: 'Revoked keys, newest first' })).toContainText('Client B key');
  await axe(page, 'lifecycle after compromise');
  writeFileSync(join(dir, 'done'), 'ok');
});
