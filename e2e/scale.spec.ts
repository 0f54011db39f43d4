// Clavis at scale, end to end in Chromium through the screens of the production build:
// issue 1,000 certificates from a CSV on the "Issue many" screen, download the PEM bundle
// and the ZIP and check them with openssl and Python, and find them in the certificate
// list; then select the 500 whose SAN is under even.scale.test through the filter, revoke
// them at once, and read the CRL with openssl. (Clavis at scale; PRODUCT.md E2, E6, E10.)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { haveOpenssl } from '../src/testing/tools';
import { createCa, expect, test } from './fixtures';

const OPENSSL = haveOpenssl();
const ROWS = 1000;

async function download(page: Page, button: string, dir: string, name: string): Promise<string> {
  const done = page.waitForEvent('download');
  await page.getByRole('button', { name: button }).click();
  const path = join(dir, name);
  await (await done).saveAs(path);
  return path;
}

function csv(n: number): string {
  const lines = ['cn,sans,profile,validity_days'];
  // Even rows carry their SAN under even.scale.test: the filter that selects half of them.
  for (let i = 0; i < n; i++) lines.push(`host${i}.scale.test,www${i}${i % 2 ? '' : '.even'}.scale.test,tls-server,90`);
  return `${lines.join('\n')}\n`;
}

test('E2 E6 E10 1,000 certificates from a CSV through the screen: one job, downloads checked by openssl and Python, found in the list; 500 revoked at once, the CRL checked by openssl', async ({ page }) => {
  test.setTimeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'clavis-scale-e2e-'));
  try {
    await createCa(page, { name: 'Scale Root', cn: 'Scale Root CA' });
    await createCa(page, { name: 'Scale Issuing', cn: 'Scale Issuing CA', intermediate: true });

    await page.getByRole('link', { name: 'Issue many' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Issue many certificates' })).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Issuing CA' })).toHaveValue(/.+/);
    await expect(page.getByRole('combobox', { name: 'Issuing CA' }).locator('option:checked')).toHaveText('Scale Issuing (intermediate)');
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'hosts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv(ROWS)) });
    await expect(page.getByText('1,000 certificates to issue, from hosts.csv.')).toBeVisible();
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

    await page.getByRole('button', { name: 'Issue 1,000 certificates' }).click();
    await expect(page.getByText('Issued 1,000 certificates from Scale Issuing, each for a new key in the vault.')).toBeVisible({ timeout: 300_000 });

    const bundle = readFileSync(await download(page, 'Download PEM bundle', dir, 'bundle.pem'), 'utf8');
    expect(bundle.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(ROWS);
    const zipPath = await download(page, 'Download ZIP', dir, 'certs.zip');
    const script = 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nnames = z.namelist()\nprint(len(names), names[0], names[-1])';
    const listed = spawnSync('python3', ['-c', script, zipPath], { encoding: 'utf8' });
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout.trim()).toBe('1000 00001-host0.scale.test.pem 01000-host999.scale.test.pem');

    if (OPENSSL) {
      // The last certificate of the bundle, read by openssl: its names and issuer.
      const last = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!.at(-1)!;
      const r = spawnSync('openssl', ['x509', '-noout', '-subject', '-issuer', '-ext', 'subjectAltName'], { input: last, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('CN = host999.scale.test');
      expect(r.stdout).toContain('CN = Scale Issuing CA');
      expect(r.stdout).toContain('DNS:host999.scale.test, DNS:www999.scale.test');
    } else {
      test.info().annotations.push({ type: 'NOT RUN', description: 'openssl is not installed: the bundle was not read by openssl' });
    }

    // The list: every certificate is there, and the search finds one of them.
    await page.getByRole('link', { name: 'Go to the certificate list' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Certificates' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: /certificates$/ })).toHaveText('1002 certificates');
    await page.getByRole('searchbox', { name: 'Search certificates' }).fill('host999.scale.test');
    const table = page.getByRole('table', { name: 'Issued certificates' });
    await expect(table.getByRole('link', { name: 'host999.scale.test' })).toBeVisible();
    await expect(table.locator('tbody tr[data-row]')).toHaveCount(1);
    await table.getByRole('link', { name: 'host999.scale.test' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'host999.scale.test' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Verification' })).toContainText('✓ The chain verifies');

    // Bulk revocation (E6): the 500 even rows through the filter, revoked as one act.
    await page.goBack();
    await expect(page.getByRole('heading', { level: 1, name: 'Certificates' })).toBeVisible();
    const search = page.getByRole('searchbox', { name: 'Search certificates' });
    await search.fill('even.scale.test');
    await expect(page.getByRole('status').filter({ hasText: /certificates$/ })).toHaveText('Showing 500 of 1002 certificates');
    const bar = page.getByRole('region', { name: 'Selected certificates' });
    await bar.getByRole('button', { name: 'Select all 500 matching the filter' }).click();
    await expect(bar).toContainText('500 certificates selected');
    await bar.getByLabel('Revocation reason').selectOption('cessationOfOperation');
    await bar.getByRole('button', { name: 'Revoke selected…' }).click();
    await page.getByRole('dialog', { name: 'Revoke 500 certificates?' }).getByRole('button', { name: 'Revoke 500' }).click();
    await expect(bar.getByRole('status')).toHaveText('Revoked 500 certificates. Published CRL number 2.', { timeout: 180_000 });
    await search.fill('');
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Revoked' });
    await expect(page.getByRole('status').filter({ hasText: /certificates$/ })).toHaveText('Showing 500 of 1002 certificates');

    await page.getByRole('link', { name: 'Certificate authorities' }).click();
    await page.getByRole('link', { name: 'CRL of Scale Issuing' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Revocation list of Scale Issuing' })).toBeVisible();
    const crlPath = await download(page, 'Download CRL (DER)', dir, 'issuing.crl');
    if (OPENSSL) {
      const r = spawnSync('openssl', ['crl', '-inform', 'DER', '-noout', '-text', '-in', crlPath], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Version 2 \(0x1\)/);
      expect(r.stdout).toMatch(/Issuer: CN ?= ?Scale Issuing CA/);
      expect(r.stdout).toMatch(/X509v3 CRL Number:\s*\n\s*2\n/);
      expect(r.stdout.match(/Serial Number: /g)).toHaveLength(500);
      expect(r.stdout.match(/Cessation Of Operation/g)).toHaveLength(500);
    } else {
      test.info().annotations.push({ type: 'NOT RUN', description: 'openssl is not installed: the CRL was not read by openssl' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
