// Issue 14 (R1, R6, G3, A4): four pages of one browser context (four tabs on one vault)
// revoke certificates and rebuild the CRL at the same time, through the screens of the
// production build. Afterwards the latest CRL of the CA lists every revocation, no CRL
// lists less than the one before it, certificate serials and CRL numbers are unique and
// CRL numbers increase, and the audit chain verifies.
import type { Page } from '@playwright/test';
import { parseCrl } from '../src/engine/pki/crl-codec';
import { createCa, expect, test } from './fixtures';

const PAGES = 4;
const PER_PAGE = 3;
/** Tabs closed right after confirming a revocation (before its CRL can be built). */
const CLOSES = 4;

async function issue(page: Page, cn: string, keyName: string): Promise<string> {
  await page.goto('/#/certs/issue');
  await expect(page.getByRole('combobox', { name: 'Issuing CA' })).toContainText('Tabs Issuing');
  await page.getByRole('combobox', { name: 'Vault key' }).selectOption({ label: `${keyName} (ECDSA-P-256)` });
  await page.getByRole('textbox', { name: 'Common name (CN)' }).fill(cn);
  await page.getByRole('textbox', { name: 'DNS names' }).fill(cn);
  await page.getByRole('button', { name: 'Issue certificate' }).click();
  await expect(page.getByRole('heading', { level: 1, name: cn })).toBeVisible();
  return page.url();
}

/** The issuing CA's revocations and CRLs as stored, read with the raw IndexedDB API. */
async function readStore(page: Page) {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('clavis');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const all = <T,>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const r = db.transaction(store, 'readonly').objectStore(store).getAll();
        r.onsuccess = () => resolve(r.result as T[]);
        r.onerror = () => reject(r.error);
      });
    const cas = await all<{ id: string; name: string }>('cas');
    const issuing = cas.find((c) => c.name === 'Tabs Issuing')!;
    const revs = (await all<{ issuerId: string; serialHex: string }>('revocations')).filter((r) => r.issuerId === issuing.id).map((r) => r.serialHex);
    const certs = (await all<{ issuerId: string; serialHex: string }>('certs')).filter((c) => c.issuerId === issuing.id).map((c) => c.serialHex);
    const crls = (await all<{ issuerId: string; number: number; der: Uint8Array }>('crls'))
      .filter((c) => c.issuerId === issuing.id)
      .map((c) => ({ number: c.number, der: Array.from(c.der) }));
    db.close();
    return { revs, certs, crls };
  });
}

test('R1/R6/G3 four tabs revoking and rebuilding at once: the latest CRL lists every revocation; numbers unique and increasing; the audit chain verifies', async ({ page, context }) => {
  test.setTimeout(300_000);
  await createCa(page, { name: 'Tabs Root', cn: 'Tabs Root CA' });
  await createCa(page, { name: 'Tabs Issuing', cn: 'Tabs Issuing CA', intermediate: true });
  await page.goto('/#/keys/new');
  await page.getByRole('textbox', { name: /^Name/ }).fill('tabs key');
  await page.getByRole('combobox', { name: 'Template' }).selectOption('ECDSA-P-256');
  await page.getByRole('button', { name: 'Generate key' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'tabs key' })).toBeVisible();
  const certUrls: string[] = [];
  for (let i = 0; i < PAGES * PER_PAGE + CLOSES; i++) certUrls.push(await issue(page, `t${i}.tabs.test`, 'tabs key'));
  await page.goto('/#/ca');
  await page.getByRole('link', { name: 'CRL of Tabs Issuing' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Revocation list of Tabs Issuing' })).toBeVisible();
  const crlUrl = page.url();

  const pages = [page, ...(await Promise.all(Array.from({ length: PAGES - 1 }, () => context.newPage())))];
  const reasons = ['keyCompromise', 'superseded', 'cessationOfOperation', 'affiliationChanged'];
  // The certificate page names the reason in words.
  const REASON_WORDS: Record<string, string> = { keyCompromise: 'key compromise', superseded: 'superseded', cessationOfOperation: 'cessation of operation', affiliationChanged: 'affiliation changed' };
  await Promise.all(
    pages.map(async (p, t) => {
      for (let j = 0; j < PER_PAGE; j++) {
        const url = certUrls[t * PER_PAGE + j]!;
        await p.goto(url);
        await expect(p.getByRole('heading', { level: 1, name: `t${t * PER_PAGE + j}.tabs.test` })).toBeVisible();
        await p.getByRole('combobox', { name: 'Reason' }).selectOption(reasons[t]!);
        await p.getByRole('button', { name: 'Revoke…' }).click();
        await p.getByRole('dialog', { name: 'Revoke this certificate?' }).getByRole('button', { name: 'Revoke certificate' }).click();
        await expect(p.getByText(new RegExp(`reason: ${REASON_WORDS[reasons[t]!]}`))).toBeVisible();
        // And a rebuild from this tab while the others revoke.
        await p.goto(crlUrl);
        await p.getByRole('button', { name: 'Rebuild now' }).click();
        await expect(p.getByRole('status').filter({ hasText: /Published CRL number \d+/ })).toBeVisible();
      }
    }),
  );

  // Tabs closed mid-revocation: whatever got stored must reach the CRL when Clavis next starts.
  for (let k = 0; k < CLOSES; k++) {
    const i = PAGES * PER_PAGE + k;
    const p = await context.newPage();
    await p.goto(certUrls[i]!);
    await expect(p.getByRole('heading', { level: 1, name: `t${i}.tabs.test` })).toBeVisible();
    await p.getByRole('combobox', { name: 'Reason' }).selectOption('superseded');
    await p.getByRole('button', { name: 'Revoke…' }).click();
    await p.getByRole('dialog', { name: 'Revoke this certificate?' }).getByRole('button', { name: 'Revoke certificate' }).click();
    await p.close();
  }
  const afterCloses = await readStore(page);
  const latestAfterCloses = parseCrl(Uint8Array.from(afterCloses.crls.sort((a, b) => b.number - a.number)[0]!.der));
  const partial = afterCloses.revs.filter((s) => !latestAfterCloses.revoked.has(s)).length;
  test.info().annotations.push({ type: 'tab closes', description: `${CLOSES} tried, ${partial} revocations stored without their CRL before start-up` });
  // Start-up (a reload) rebuilds every CA whose latest CRL misses a revocation.
  await page.goto('/#/ca');
  await page.reload();
  await expect
    .poll(async () => {
      const s = await readStore(page);
      const latest = parseCrl(Uint8Array.from(s.crls.sort((a, b) => b.number - a.number)[0]!.der));
      return s.revs.filter((x) => !latest.revoked.has(x)).length;
    }, { timeout: 90_000 })
    .toBe(0);

  const stored = await readStore(page);
  expect(stored.revs.length).toBeGreaterThanOrEqual(PAGES * PER_PAGE);
  expect(stored.revs.length).toBeLessThanOrEqual(PAGES * PER_PAGE + CLOSES);
  expect(new Set(stored.certs).size).toBe(stored.certs.length);
  const history = stored.crls.sort((a, b) => a.number - b.number).map((c) => ({ number: c.number, crl: parseCrl(Uint8Array.from(c.der)) }));
  const numbers = history.map((h) => h.number);
  expect(new Set(numbers).size).toBe(numbers.length);
  for (const h of history) expect(h.crl.number).toBe(h.number);
  const latest = history[history.length - 1]!.crl;
  const missing = stored.revs.filter((s) => !latest.revoked.has(s));
  test.info().annotations.push({ type: 'revocations', description: `${stored.revs.length} tried, ${missing.length} missing from the latest CRL; ${history.length} CRLs` });
  expect(missing).toEqual([]);
  for (let i = 1; i < history.length; i++) {
    const dropped = [...history[i - 1]!.crl.revoked.keys()].filter((s) => !history[i]!.crl.revoked.has(s));
    expect(dropped, `CRL ${history[i]!.number} keeps what CRL ${history[i - 1]!.number} listed`).toEqual([]);
  }

  await page.goto('/#/audit');
  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByText(/✓ Chain OK: \d+ entries, none changed, removed or reordered\./)).toBeVisible();
  for (const p of pages.slice(1)) await p.close();
});
