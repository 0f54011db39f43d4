// The Verify screen end to end in Chromium, through the screens of the production build
// (E8, issue 13): a Clavis chain verifies against its Clavis root; after revocation the
// leaf is refused at the revocation check with the CA's CRL; a cross-signed chain from
// openssl needs the builder to backtrack past a dead end and verifies against an imported
// trusted root; a certificate cycle comes back refused at once, with the reason. Axe on
// the Verify screen at desktop and phone size.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { haveOpenssl } from '../src/testing/tools';
import { createCa, expect, needsTool, test } from './fixtures';

const OPENSSL = haveOpenssl();

function openssl(args: string[], cwd: string): string {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 120_000, cwd });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const EXTENSIONS = `
[root]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[leaf]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:cross.verify.test
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
`;

/** A throwaway openssl workshop: EC P-256 keys and certificates in a temporary folder. */
function workshop() {
  const dir = mkdtempSync(join(tmpdir(), 'clavis-verify-'));
  writeFileSync(join(dir, 'ext.cnf'), EXTENSIONS);
  let serial = 0x1000;
  const key = (name: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  /** A self-signed CA certificate for `name`'s key. */
  const root = (name: string, cn: string) => {
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-config', '/dev/null', '-out', `${name}.csr`], dir);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-signkey', `${name}.key`, '-days', '30', '-sha256', '-extfile', 'ext.cnf', '-extensions', 'root', '-out', `${name}.pem`], dir);
  };
  /** A certificate for `subjectKey` named `cn`, signed by `caCert`/`caKey`. */
  const sign = (out: string, subjectKey: string, cn: string, caCert: string, caKey: string, ext: 'ca' | 'leaf') => {
    openssl(['req', '-new', '-key', `${subjectKey}.key`, '-subj', `/CN=${cn}`, '-config', '/dev/null', '-out', `${out}.csr`], dir);
    openssl(['x509', '-req', '-in', `${out}.csr`, '-CA', `${caCert}.pem`, '-CAkey', `${caKey}.key`, '-set_serial', String(++serial * 7919), '-days', '20', '-sha256', '-extfile', 'ext.cnf', '-extensions', ext, '-out', `${out}.pem`], dir);
  };
  const pem = (name: string) => readFileSync(join(dir, `${name}.pem`), 'utf8');
  return { dir, key, root, sign, pem, done: () => rmSync(dir, { recursive: true, force: true }) };
}

async function openVerify(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Verify a certificate chain' })).toBeVisible();
}

/** Drops a file onto the drop zone labelled `label`, as a browser does (a real DataTransfer). */
async function dropFile(page: Page, label: string, name: string, bytes: Buffer) {
  const zone = page.locator('.drop-zone').filter({ has: page.getByLabel(label, { exact: true }) });
  const transfer = await page.evaluateHandle(
    ([n, data]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], n, { type: 'application/octet-stream' }));
      return dt;
    },
    [name, [...bytes]] as const,
  );
  for (const type of ['dragenter', 'dragover', 'drop']) await zone.dispatchEvent(type, { dataTransfer: transfer });
}

/** Imports a PEM root through the screen and marks it as a trusted root. */
async function importTrustedRoot(page: Page, pem: string, subject: string) {
  const imported = page.getByRole('region', { name: 'Imported roots, certificates and CRLs' });
  await imported.getByLabel(/PEM to import/).fill(pem);
  await imported.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(imported.getByRole('status')).toHaveText('Imported 1 item.');
  await imported.getByRole('button', { name: `Trust ${subject} as a root` }).click();
  await expect(page.getByRole('checkbox', { name: `Imported root: ${subject}` })).toBeVisible();
}

async function axe(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${what}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('E8 a Clavis chain verifies against its Clavis root; once revoked, the leaf is refused at the revocation check with its CRL', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'clavis-verify-'));
  try {
    await page.goto('/');
    await createCa(page, { name: 'Verify Root', cn: 'Verify Root' });
    await createCa(page, { name: 'Verify Issuing', cn: 'Verify Issuing', intermediate: true });
    await page.goto('/#/keys/new');
    await page.getByRole('textbox', { name: /^Name/ }).fill('verify leaf key');
    await page.getByRole('combobox', { name: 'Template' }).selectOption('ECDSA-P-256');
    await page.getByRole('button', { name: 'Generate key' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'verify leaf key' })).toBeVisible();
    await page.goto('/#/certs/issue');
    await page.getByRole('combobox', { name: 'Issuing CA' }).selectOption({ label: 'Verify Issuing (intermediate)' });
    await page.getByRole('combobox', { name: 'Vault key' }).selectOption({ label: 'verify leaf key (ECDSA-P-256)' });
    await page.getByRole('textbox', { name: 'Common name (CN)' }).fill('leaf.verify.test');
    await page.getByRole('textbox', { name: 'DNS names' }).fill('leaf.verify.test');
    await page.getByRole('button', { name: 'Issue certificate' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'leaf.verify.test' })).toBeVisible();
    const leafUrl = page.url();
    // The chain as a .p7b (a SET OF: no order), downloaded from the certificate page.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download chain with root (.p7b)' }).click();
    const p7bPath = join(dir, 'chain.p7b');
    await (await download).saveAs(p7bPath);
    const p7b = readFileSync(p7bPath);

    await openVerify(page);
    await dropFile(page, 'Chain files', 'chain.p7b', p7b);
    await expect(page.getByRole('list', { name: 'Chain files chosen' })).toContainText('chain.p7b');
    await page.getByRole('checkbox', { name: 'Clavis CA: Verify Root' }).check();
    await page.getByRole('checkbox', { name: /Latest CRL of Verify Root/ }).check();
    await page.getByRole('checkbox', { name: /Latest CRL of Verify Issuing/ }).check();
    await page.getByLabel('Revocation').selectOption('require');
    await page.getByLabel('Purpose (extended key usage)').selectOption('tls-server');
    await page.getByLabel('Peer name').fill('leaf.verify.test');
    await page.getByRole('button', { name: 'Verify' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await expect(result).toContainText('✓ The chain verifies');
    await expect(result).toContainText('revocation: good');
    const path = result.getByRole('list', { name: 'Certification path, trust anchor first' }).getByRole('listitem');
    await expect(path).toHaveCount(3);
    await expect(path.nth(0)).toContainText('trust anchor: CN=Verify Root');
    await expect(path.nth(2)).toContainText('target: CN=leaf.verify.test');
    await expect(result.getByRole('list', { name: /^Checks/ })).toContainText('RFC 5280 6.3');

    // Revoke the leaf on its page (the CRL is rebuilt), then verify again with the new CRL.
    await page.goto(leafUrl);
    await expect(page.getByRole('heading', { level: 1, name: 'leaf.verify.test' })).toBeVisible();
    await page.getByRole('button', { name: 'Revoke…' }).click();
    await page.getByRole('dialog', { name: 'Revoke this certificate?' }).getByRole('button', { name: 'Revoke certificate' }).click();
    await expect(page.getByRole('region', { name: 'Verification' })).toContainText('revocation: revoked');

    await openVerify(page);
    await dropFile(page, 'Chain files', 'chain.p7b', p7b);
    await expect(page.getByRole('list', { name: 'Chain files chosen' })).toContainText('chain.p7b');
    await page.getByRole('checkbox', { name: 'Clavis CA: Verify Root' }).check();
    await page.getByRole('checkbox', { name: /Latest CRL of Verify Root/ }).check();
    await page.getByRole('checkbox', { name: /Latest CRL of Verify Issuing \(number 2\)/ }).check();
    await page.getByLabel('Revocation').selectOption('require');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(result).toContainText('✗ The chain does not verify');
    await expect(result).toContainText('revocation: revoked');
    const failed = result.getByRole('list', { name: /^Checks/ }).getByRole('listitem').filter({ hasText: '✗ Fail' });
    await expect(failed).toHaveCount(1);
    await expect(failed).toContainText(/revocation-0: the certificate is revoked/);
    await expect(failed).toContainText('RFC 5280 6.3');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('E8 a cross-signed chain needs backtracking past a dead end and verifies against an imported trusted root; axe at desktop and phone size', async ({ page }) => {
  needsTool(OPENSSL, 'openssl');
  const w = workshop();
  try {
    w.key('root');
    w.root('root', 'Cross Root');
    w.key('old');
    w.root('old', 'Old Root');
    w.key('int');
    w.sign('int-old', 'int', 'Cross Intermediate', 'old', 'old', 'ca');
    w.sign('int-root', 'int', 'Cross Intermediate', 'root', 'root', 'ca');
    w.key('leaf');
    w.sign('leaf', 'leaf', 'cross.verify.test', 'int-root', 'int', 'leaf');

    await page.goto('/');
    await openVerify(page);
    await importTrustedRoot(page, w.pem('root'), 'CN=Cross Root');
    // The intermediate signed by the untrusted old root comes first, so the builder meets
    // that dead end before it finds the path to the trusted root.
    await page.getByLabel('Chain (PEM), in any order').fill(w.pem('leaf') + w.pem('int-old') + w.pem('old') + w.pem('int-root'));
    await page.getByRole('checkbox', { name: 'Imported root: CN=Cross Root' }).check();
    await page.getByLabel('Revocation').selectOption('off');
    await page.getByLabel('Peer name').fill('cross.verify.test');
    await page.getByLabel('Profile').selectOption('webpki');
    await page.getByRole('button', { name: 'Verify' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await expect(result).toContainText('✓ The chain verifies');
    await expect(result).toContainText('judged by the web PKI profile');
    const path = result.getByRole('list', { name: 'Certification path, trust anchor first' }).getByRole('listitem');
    await expect(path).toHaveCount(3);
    await expect(path.nth(0)).toContainText('trust anchor: CN=Cross Root');
    const tried = result.getByRole('list', { name: 'Paths the builder tried and gave up on' });
    await expect(tried).toContainText('CN=Old Root');

    await axe(page, 'verify (desktop)');
    await page.setViewportSize({ width: 375, height: 800 });
    await expect(result).toContainText('✓ The chain verifies');
    await axe(page, 'verify (phone)');
  } finally {
    w.done();
  }
});

test('E8 a certificate cycle comes back refused at once, with the reason shown', async ({ page }) => {
  needsTool(OPENSSL, 'openssl');
  const w = workshop();
  try {
    w.key('root');
    w.root('root', 'Cycle Anchor');
    w.key('a');
    w.key('b');
    // Self-signed stand-ins only to name the issuers; they are not given to Clavis.
    w.root('a', 'Cycle A');
    w.root('b', 'Cycle B');
    w.sign('a-by-b', 'a', 'Cycle A', 'b', 'b', 'ca');
    w.sign('b-by-a', 'b', 'Cycle B', 'a', 'a', 'ca');
    w.key('leaf');
    w.sign('leaf', 'leaf', 'cycle.verify.test', 'a', 'a', 'leaf');

    await page.goto('/#/verify');
    await expect(page.getByRole('heading', { level: 1, name: 'Verify a certificate chain' })).toBeVisible();
    await importTrustedRoot(page, w.pem('root'), 'CN=Cycle Anchor');
    await page.getByLabel('Chain (PEM), in any order').fill(w.pem('leaf') + w.pem('a-by-b') + w.pem('b-by-a'));
    await page.getByRole('checkbox', { name: 'Imported root: CN=Cycle Anchor' }).check();
    await page.getByLabel('Revocation').selectOption('off');
    await page.getByRole('button', { name: 'Verify' }).click();
    const result = page.getByRole('region', { name: 'Result' });
    await expect(result).toContainText('✗ The chain does not verify');
    await expect(result).toContainText('No path from the certificate to a trust anchor was found.');
    const failed = result.getByRole('list', { name: /^Checks/ }).getByRole('listitem').filter({ hasText: '✗ Fail' });
    await expect(failed).toHaveCount(1);
    await expect(failed).toContainText(/path: no path to a trust anchor: no issuer of CN=Cycle [AB]/);
    // The builder tried the way round the cycle and gave up on it.
    await expect(result.getByRole('list', { name: 'Paths the builder tried and gave up on' })).toContainText('CN=Cycle B');
  } finally {
    w.done();
  }
});
