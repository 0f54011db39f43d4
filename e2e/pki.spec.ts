// The certificate authority end to end in Chromium, through the screens of the production
// build: create a root and an intermediate, issue a TLS server certificate for a vault key
// and one from an `openssl req -new` CSR, view, revoke, see the CRL change, download PEM/DER
// of the leaf, the chain and the CRL, and check them with openssl. Also: axe on every CA
// screen, and H5 (markup in subjects renders as text). (Issue: in-browser certificate
// authority; PRODUCT.md E1–E7, E9, E10.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { haveOpenssl } from '../src/testing/tools';
import { createCa, expect, needsTool, test } from './fixtures';

const OPENSSL = haveOpenssl();

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function generateKey(page: Page, name: string) {
  await page.goto('/#/keys/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill(name);
  await page.getByRole('combobox', { name: 'Template' }).selectOption('ECDSA-P-256');
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

async function issueForVaultKey(page: Page, cn: string, keyName: string) {
  await page.goto('/#/certs/issue');
  await expect(page.getByRole('combobox', { name: 'Issuing CA' })).toContainText('E2E Issuing');
  await page.getByRole('combobox', { name: 'Vault key' }).selectOption({ label: `${keyName} (ECDSA-P-256)` });
  await page.getByRole('textbox', { name: 'Common name (CN)' }).fill(cn);
  await page.getByRole('textbox', { name: 'DNS names' }).fill(cn);
  await expect(page.getByRole('region', { name: 'Preview' })).toContainText(`DNS name: ${cn}`);
  await page.getByRole('button', { name: 'Issue certificate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: cn })).toBeVisible();
}

/**
 * Drops a file onto the drop zone labelled `label` the way a browser does: a real
 * DataTransfer holding a File, dispatched as dragenter, dragover and drop.
 */
async function dropFile(page: Page, label: string, name: string, content: string) {
  const zone = page.locator('.drop-zone').filter({ has: page.getByLabel(label, { exact: true }) });
  const transfer = await page.evaluateHandle(
    ([n, text]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], n, { type: 'application/pkcs10' }));
      return dt;
    },
    [name, content] as const,
  );
  for (const type of ['dragenter', 'dragover', 'drop']) await zone.dispatchEvent(type, { dataTransfer: transfer });
}

/** Clicks a download button and saves the file into `dir`. */
async function download(page: Page, button: string, dir: string, name: string): Promise<string> {
  const done = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const d = await done;
  const path = join(dir, name);
  await d.saveAs(path);
  return path;
}

test('E1–E7 create CAs, issue for a vault key and from a dropped openssl CSR, create a CSR, revoke, CRL, downloads checked by openssl', async ({ page }) => {
  needsTool(OPENSSL, 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'clavis-pki-e2e-'));
  try {
    await createCa(page, { name: 'E2E Root', cn: 'E2E Root CA', country: 'DE' });
    await createCa(page, { name: 'E2E Issuing', cn: 'E2E Issuing CA', intermediate: true, country: 'DE' });
    await expect(page.getByRole('list', { name: 'CAs under E2E Root' })).toContainText('E2E Issuing');

    // The root's certificate, for the trust store.
    await page.getByRole('link', { name: 'E2E Root', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'E2E Root CA' })).toBeVisible();
    const rootPem = await download(page, 'Download PEM', dir, 'root.pem');

    // A vault key, made on the Keys screens, certified as a TLS server.
    await generateKey(page, 'e2e web key');
    await issueForVaultKey(page, 'app.e2e.test', 'e2e web key');
    const revokedUrl = page.url();
    await expect(page.getByRole('region', { name: 'Verification' })).toContainText('✓ The chain verifies');
    await expect(page.getByRole('region', { name: 'Extensions' })).toContainText('DNS: app.e2e.test');
    await expect(page.getByRole('list', { name: 'ASN.1 tree of the certificate' })).toContainText('SEQUENCE');
    const vaultLeafPem = await download(page, 'Download PEM', dir, 'vault-leaf.pem');
    const vaultLeafDer = await download(page, 'Download DER', dir, 'vault-leaf.der');
    const chainPem = await download(page, 'Download chain (PEM bundle)', dir, 'chain.pem');
    const sha256Shown = (await page.getByRole('region', { name: 'Fingerprints' }).locator('dd').first().innerText()).trim();
    const serialShown = (await page.getByRole('region', { name: 'Details' }).locator('dt:text-is("Serial number") + dd').innerText()).trim();
    const serial = serialShown.replace(/:/g, '');

    // E2: a CSR for the vault key, from the key page's link; openssl checks its signature and key.
    await page.goto('/#/keys');
    await page.getByRole('link', { name: 'e2e web key' }).click();
    await page.getByRole('link', { name: 'Create a CSR for this key' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Create a certificate signing request' })).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Vault key pair' })).toHaveValue(/.+/);
    await page.getByRole('textbox', { name: 'Common name (CN)' }).fill('vault-csr.e2e.test');
    await page.getByRole('textbox', { name: 'DNS names' }).fill('vault-csr.e2e.test');
    await page.getByRole('button', { name: 'Create CSR' }).click();
    await expect(page.getByRole('textbox', { name: 'CSR (PEM)' })).toHaveValue(/^-----BEGIN CERTIFICATE REQUEST-----/);
    const vaultCsr = await download(page, 'Download CSR', dir, 'vault.csr');
    const v = openssl(['req', '-in', vaultCsr, '-noout', '-verify', '-subject']);
    expect(v.status, v.out).toBe(0);
    expect(v.out).toMatch(/verify OK|Certificate request self-signature verify OK/);
    expect(v.out).toContain('CN = vault-csr.e2e.test');
    const csrKey = openssl(['req', '-in', vaultCsr, '-noout', '-pubkey']).out;
    const certKey = openssl(['x509', '-in', vaultLeafPem, '-noout', '-pubkey']).out;
    expect(csrKey).toMatch(/BEGIN PUBLIC KEY/);
    expect(csrKey).toBe(certKey);

    // A certificate from a CSR made by openssl req -new, DROPPED onto the form's file zone.
    const csrPath = join(dir, 'req.csr');
    const made = openssl([
      'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'csr-key.pem'),
      '-subj', '/CN=csr.e2e.test', '-addext', 'subjectAltName=DNS:csr.e2e.test', '-addext', 'basicConstraints=critical,CA:TRUE', '-out', csrPath,
    ]);
    expect(made.status, made.out).toBe(0);
    await page.goto('/#/certs/issue');
    await expect(page.getByRole('combobox', { name: 'Issuing CA' })).toContainText('E2E Issuing');
    await page.getByRole('radio', { name: 'A certificate signing request (CSR)' }).check();
    await dropFile(page, 'CSR file', 'req.csr', readFileSync(csrPath, 'utf8'));
    const asks = page.getByRole('region', { name: 'What the request asks for' });
    await expect(asks).toContainText('CN=csr.e2e.test');
    await expect(asks).toContainText('ECDSA P-256');
    await expect(asks).toContainText('DNS: csr.e2e.test');
    // cA:true was asked for and is ignored (P16).
    await expect(asks).toContainText('2.5.29.19');
    await page.getByRole('button', { name: 'Issue certificate' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'csr.e2e.test' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Extensions' })).toContainText('CA: false');
    const csrLeafPem = await download(page, 'Download PEM', dir, 'csr-leaf.pem');
    // The certificate carries the CSR's key (the one openssl generated), nothing else.
    const wantKey = openssl(['pkey', '-in', join(dir, 'csr-key.pem'), '-pubout']);
    const gotKey = openssl(['x509', '-in', csrLeafPem, '-noout', '-pubkey']);
    expect(wantKey.status, wantKey.out).toBe(0);
    expect(gotKey.out).toBe(wantKey.out);

    // Revoke the vault leaf, with a confirmation.
    await page.goto(revokedUrl);
    await expect(page.getByRole('heading', { level: 1, name: 'app.e2e.test' })).toBeVisible();
    await page.getByRole('combobox', { name: 'Reason' }).selectOption('keyCompromise');
    await page.getByRole('button', { name: 'Revoke…' }).click();
    await page.getByRole('dialog', { name: 'Revoke this certificate?' }).getByRole('button', { name: 'Revoke certificate' }).click();
    await expect(page.getByText(/reason: key compromise/)).toBeVisible();
    await expect(page.getByRole('region', { name: 'Verification' })).toContainText('✗ The chain does not verify');
    await expect(page.getByRole('region', { name: 'Verification' })).toContainText('revocation: revoked');
    // K8: the certified vault key is now compromised in its lifecycle, and cannot be certified again.
    await page.goto('/#/keys');
    await page.getByRole('link', { name: 'e2e web key' }).click();
    await expect(page.getByText('Compromised').first()).toBeVisible();
    await page.goto(revokedUrl);

    // The CRL page shows the revoked serial on CRL number 2.
    await page.getByRole('link', { name: 'See the CRL of E2E Issuing' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Revocation list of E2E Issuing' })).toBeVisible();
    await expect(page.getByRole('table', { name: 'Entries of CRL number 2' })).toContainText(serial);
    await expect(page.getByRole('table', { name: 'Entries of CRL number 2' })).toContainText('key compromise');
    const intCrlPem = await download(page, 'Download CRL (PEM)', dir, 'int.crl.pem');
    const intCrlDer = await download(page, 'Download CRL (DER)', dir, 'int.crl');
    await page.getByRole('button', { name: 'Rebuild now' }).click();
    await expect(page.getByRole('status')).toHaveText('Published CRL number 3');
    await expect(page.getByRole('table', { name: 'Entries of CRL number 3' })).toContainText(serial);

    // The root's CRL, for -crl_check_all.
    await page.goto('/#/ca');
    await page.getByRole('link', { name: 'CRL of E2E Root' }).click();
    await expect(page.getByText('No certificate of this CA is revoked.')).toBeVisible();
    const rootCrlPem = await download(page, 'Download CRL (PEM)', dir, 'root.crl.pem');

    // The inventory: the status changed, and search by serial finds it.
    await page.goto('/#/certs');
    await page.getByRole('searchbox', { name: 'Search certificates' }).fill(serial.slice(0, 10));
    await expect(page.getByRole('status')).toHaveText(/Showing 1 of \d+ certificates/);
    await expect(page.getByRole('table')).toContainText('Revoked');

    // Check the downloads with openssl.
    const chain = readFileSync(chainPem, 'utf8');
    const blocks = chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g)!;
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toBe(readFileSync(vaultLeafPem, 'utf8'));
    const intPem = join(dir, 'int.pem');
    writeFileSync(intPem, blocks[1]!);
    const crls = join(dir, 'crls.pem');
    writeFileSync(crls, readFileSync(rootCrlPem, 'utf8') + readFileSync(intCrlPem, 'utf8'));

    const good = openssl(['verify', '-x509_strict', '-CAfile', rootPem, '-untrusted', intPem, csrLeafPem]);
    expect(good.status, good.out).toBe(0);
    const goodCrl = openssl(['verify', '-x509_strict', '-crl_check_all', '-CRLfile', crls, '-CAfile', rootPem, '-untrusted', intPem, csrLeafPem]);
    expect(goodCrl.status, goodCrl.out).toBe(0);
    // Before revocation checking the vault leaf is good too; with the CRL it is refused.
    const beforeCrl = openssl(['verify', '-x509_strict', '-CAfile', rootPem, '-untrusted', intPem, vaultLeafPem]);
    expect(beforeCrl.status, beforeCrl.out).toBe(0);
    const revoked = openssl(['verify', '-x509_strict', '-crl_check_all', '-CRLfile', crls, '-CAfile', rootPem, '-untrusted', intPem, vaultLeafPem]);
    expect(revoked.status).not.toBe(0);
    expect(revoked.out).toMatch(/certificate revoked/);

    const both = join(dir, 'both.pem');
    writeFileSync(both, readFileSync(rootPem, 'utf8') + blocks[1]!);
    expect(openssl(['crl', '-in', intCrlPem, '-noout', '-verify', '-CAfile', both]).out).toMatch(/verify OK/);
    expect(openssl(['crl', '-in', rootCrlPem, '-noout', '-verify', '-CAfile', rootPem]).out).toMatch(/verify OK/);
    const derCrl = openssl(['crl', '-inform', 'DER', '-in', intCrlDer, '-noout', '-text']);
    expect(derCrl.status, derCrl.out).toBe(0);
    expect(derCrl.out).toMatch(/Key Compromise/);
    expect(derCrl.out.toLowerCase().replace(/:/g, '')).toContain(serial);
    // The DER download is the same certificate, with the fingerprint the viewer showed.
    const fp = openssl(['x509', '-inform', 'DER', '-in', vaultLeafDer, '-noout', '-fingerprint', '-sha256']);
    expect(fp.status, fp.out).toBe(0);
    expect(fp.out.split('=')[1]!.trim().toLowerCase()).toBe(sha256Shown.toLowerCase());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('G2 every CA screen is axe-clean', async ({ page }) => {
  await createCa(page, { name: 'Axe Root', cn: 'Axe Root CA', country: 'DE' });
  await createCa(page, { name: 'Axe Issuing', cn: 'Axe Issuing CA', intermediate: true, country: 'DE' });
  await generateKey(page, 'axe key');
  await page.goto('/#/certs/issue');
  await expect(page.getByRole('combobox', { name: 'Issuing CA' })).toContainText('Axe Issuing');
  await page.getByRole('textbox', { name: 'Common name (CN)' }).fill('axe.e2e.test');
  await page.getByRole('textbox', { name: 'DNS names' }).fill('axe.e2e.test');
  await page.getByRole('button', { name: 'Issue certificate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'axe.e2e.test' })).toBeVisible();
  const certUrl = page.url();
  await page.getByRole('combobox', { name: 'Reason' }).selectOption('superseded');
  await page.getByRole('button', { name: 'Revoke…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this certificate?' });
  const inDialog = await new AxeBuilder({ page }).analyze();
  expect(inDialog.violations.map((v) => `revoke dialog: ${v.id}`)).toEqual([]);
  await dialog.getByRole('button', { name: 'Revoke certificate' }).click();
  await expect(page.getByText(/reason: superseded/)).toBeVisible();
  await page.getByRole('link', { name: 'See the CRL of Axe Issuing' }).click();
  await expect(page.getByRole('table', { name: /Entries of CRL number/ })).toBeVisible();
  const crlUrl = page.url();

  for (const path of ['/#/ca', '/#/ca/new', '/#/certs', '/#/certs/issue', '/#/certs/csr', certUrl, crlUrl]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).not.toHaveText(/Loading/);
    if (path === '/#/certs/issue') await page.getByRole('radio', { name: 'A certificate signing request (CSR)' }).check();
    const results = await new AxeBuilder({ page }).analyze();
    expect(results.violations.map((v) => `${path}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }
  // The main navigation marks Certificates on every CA screen.
  await page.goto(crlUrl);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Certificates' })).toHaveAttribute('aria-current', 'page');
});

test('H5 markup in a subject renders as literal text on every CA screen and runs nothing', async ({ page }) => {
  const xss = '<img src=x onerror="window.__pwned=1">';
  await createCa(page, { name: 'XSS Root', cn: xss, country: 'DE' });
  await generateKey(page, 'xss key');
  await page.goto('/#/certs/issue');
  await expect(page.getByRole('combobox', { name: 'Issuing CA' })).toContainText('XSS Root');
  await page.getByRole('combobox', { name: 'Profile' }).selectOption('tls-client');
  await page.getByRole('textbox', { name: 'Common name (CN)' }).fill(xss);
  await page.getByRole('textbox', { name: 'Organization (O)' }).fill('"><svg onload=window.__pwned=1>');
  await page.getByRole('textbox', { name: 'URIs' }).fill('javascript:window.__pwned=1');
  await expect(page.getByRole('region', { name: 'Preview' })).toContainText(xss);
  await page.getByRole('button', { name: 'Issue certificate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: xss })).toBeVisible();
  await expect(page.getByText('URI: javascript:window.__pwned=1').first()).toBeVisible();
  await expect(page.getByRole('link', { name: /javascript:/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Revoke…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke certificate' }).click();
  await expect(page.getByText(/reason: key compromise/)).toBeVisible();
  for (const path of ['/#/certs', '/#/ca']) {
    await page.goto(path);
    await expect(page.getByText('<img src', { exact: false }).first()).toBeVisible();
  }
  await page.getByRole('link', { name: 'CRL of XSS Root' }).click();
  await expect(page.getByRole('table', { name: /Entries of CRL number/ })).toBeVisible();
  await expect(page.getByText('<img src', { exact: false }).first()).toBeVisible();
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('main img, main svg').count()).toBe(0);
});
