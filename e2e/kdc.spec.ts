// The key distribution center end to end in Chromium, through the screens of the
// production build: register two principals, distribute a key step by step, exchange a
// message under it, run each attack (refused by Clavis, successful against the unfixed
// protocol), revoke a principal and see the next ticket refused. Also: axe on every KDC
// screen, and every KDC CryptoKey in IndexedDB non-extractable. (Issue: key distribution
// center; PRODUCT.md C1–C6, SECURITY.md D1–D5.)
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { dumpIndexedDb, expect, SECRET_PATTERNS, test } from './fixtures';

async function register(page: Page, name: string, kind: 'user' | 'service') {
  await page.getByLabel('Principal name').fill(name);
  await page.getByLabel('Kind').selectOption(kind);
  await page.getByRole('button', { name: 'Register principal' }).click();
  await expect(page.getByRole('status')).toContainText(`Registered ${name} (${kind})`);
}

async function axe(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${where}: ${v.id}`)).toEqual([]);
}

test('KDC: principals, step-by-step distribution, chat, attacks, revocation', async ({ page }) => {
  await page.goto('/#/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'KDC' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Key distribution' })).toBeVisible();

  // C1: two principals.
  await page.getByRole('navigation', { name: 'Key distribution center' }).getByRole('link', { name: 'Principals' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'KDC principals' })).toBeVisible();
  await register(page, 'alice', 'user');
  await register(page, 'files', 'service');
  await expect(page.getByRole('table', { name: 'Registered principals' }).getByRole('row')).toHaveCount(3);
  await axe(page, 'principals');

  // C2: the protocol one message at a time.
  await page.goto('/#/kdc');
  await expect(page.getByLabel('B (service)')).toHaveValue('files');
  await page.getByRole('button', { name: 'Start distribution' }).click();
  const messages = page.getByRole('list', { name: 'Protocol messages' }).getByRole('article');
  await expect(messages).toHaveCount(1);
  for (let i = 2; i <= 5; i++) {
    await page.getByRole('button', { name: 'Next step' }).click();
    await expect(messages).toHaveCount(i);
  }
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByRole('status')).toContainText('Key confirmed on both sides');
  const keyId = /Session key (kdk_[0-9a-f]{32})/.exec((await page.getByRole('status').textContent()) ?? '')![1]!;
  const reply = page.getByRole('article', { name: /Message 2: kdc → alice/ });
  await expect(reply.getByRole('region', { name: 'Ticket of message 2' })).toContainText("AES-GCM under K_files (files's long-term key, kvno 1)");
  await reply.getByText(/^Bytes \(\d+\) of message 2$/).click();
  await expect(reply.getByLabel('Hex bytes of message 2')).toContainText('0000  7b 22');
  await axe(page, 'distribution');

  // C6: a message under the session key.
  await page.getByLabel('Message', { exact: true }).fill('hello from alice');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('list', { name: 'Chat' })).toContainText('alice → files: hello from alice');

  // C5: every attack fails against Clavis and succeeds against the unfixed protocol.
  await page.getByRole('navigation', { name: 'Key distribution center' }).getByRole('link', { name: 'Attacks' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Attacks on key distribution' })).toBeVisible();
  const refusing: Record<string, string> = {
    'Replay of an old KDC reply': "A's nonce matches an outstanding request",
    'Denning–Sacco': 'Ticket not expired',
    'Reflection of': 'Key confirmation',
    'Tampered ticket': 'AES-GCM authentication',
    'Tampered KDC reply': 'AES-GCM authentication',
  };
  for (const [attack, check] of Object.entries(refusing)) {
    await page.getByRole('radio', { name: new RegExp(`^${attack}`) }).check();
    await page.getByRole('button', { name: 'Run attack' }).click();
    const clavis = page.getByRole('region', { name: /Against Clavis's protocol: attack refused/ });
    await expect(page.getByRole('heading', { level: 2, name: new RegExp(`^${attack}`) })).toBeVisible();
    await expect(clavis.locator('strong.kdc-refusing')).toContainText(check);
    await expect(page.getByRole('region', { name: /Against the unfixed protocol: attack succeeded/ })).toContainText('INSECURE');
  }
  await axe(page, 'attacks');

  // C3/C4: verify a key against the KDC record, then revoke the service: the next ticket is refused.
  await page.goto('/#/kdc/keys');
  await expect(page.getByRole('heading', { level: 1, name: 'Distributed keys' })).toBeVisible();
  await page.getByRole('button', { name: `Verify files's copy of ${keyId}` }).click();
  await expect(page.getByRole('status')).toContainText(`files's key ${keyId} matches the KDC's record`);
  await page.getByRole('button', { name: `Verify alice's copy of ${keyId}` }).click();
  await expect(page.getByRole('status')).toContainText(`alice's key ${keyId} matches the KDC's record`);
  await expect(page.getByRole('table', { name: 'Revoked keys' })).toBeVisible(); // Denning–Sacco revoked its compromised key
  await axe(page, 'keys');

  await page.goto('/#/kdc/principals');
  await page.getByRole('button', { name: 'Revoke files' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke files?' });
  await dialog.getByLabel('Reason').selectOption('cessationOfOperation');
  await dialog.getByRole('button', { name: 'Revoke principal' }).click();
  await expect(page.getByRole('table', { name: 'Registered principals' }).getByRole('row', { name: /files/ })).toContainText('revoked');

  await page.goto('/#/kdc');
  await expect(page.getByLabel('A (client)')).toHaveValue('alice');
  // A revoked principal is no longer offered for a distribution (the KDC refuses one anyway: src/engine/kdc/kdc.test.ts, D5/C4).
  await expect(page.getByLabel('B (service)').locator('option', { hasText: 'files' })).toHaveCount(0);
  await expect(page.getByLabel('A (client)').locator('option', { hasText: 'files' })).toHaveCount(0);

  // No key material in the page; every KDC CryptoKey stored non-extractable.
  const html = await page.content();
  for (const p of SECRET_PATTERNS) expect(html).not.toMatch(p);
  const db = (await dumpIndexedDb(page)).clavis!;
  const kdcKeys = [...db.kdcState!, ...db.kdcPrincipalKeys!, ...db.kdcHeldKeys!].flatMap((r) => Object.values(r as Record<string, unknown>)).filter((v) => (v as { __cryptoKey?: boolean })?.__cryptoKey);
  expect(kdcKeys.length).toBeGreaterThan(4);
  for (const k of kdcKeys) expect((k as { extractable: boolean }).extractable).toBe(false);
});
