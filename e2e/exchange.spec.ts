// Key exchange end to end in Chromium, through the screens of the production build: an
// unauthenticated exchange with and without the man in the middle, then an authenticated
// one with certificates from the Clavis CA where the same attack is refused; what each
// party and the attacker can read; X25519; forward secrecy and classic DH; axe on the
// page in each state. (Issue: key exchange; PRODUCT.md D1–D5, SECURITY.md E1–E4.)
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

async function axe(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${what}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

async function start(page: Page, opts: { attacker: 'none' | 'eavesdrop' | 'substitute'; curve?: string }) {
  await page.getByRole('combobox', { name: 'Curve', exact: true }).selectOption(opts.curve ?? 'P-256');
  await page.getByRole('combobox', { name: 'Attacker in the middle' }).selectOption(opts.attacker);
  await page.getByRole('button', { name: 'Start exchange' }).click();
  await expect(page.getByRole('button', { name: 'Next step' })).toBeVisible();
}

async function send(page: Page, from: string, text: string, tamper?: string) {
  await page.getByRole('radio', { name: from, exact: true }).check();
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill(text);
  if (tamper !== undefined) await page.getByRole('textbox', { name: /replaces it with/ }).fill(tamper);
  await page.getByRole('button', { name: 'Send message' }).click();
}

function lastRow(page: Page) {
  return page.getByRole('table', { name: 'Messages sent' }).getByRole('row').last();
}

test('unauthenticated exchange: without an attacker both read; with the man in the middle the fingerprints differ and Mallory reads and alters', async ({ page }) => {
  await page.goto('/#/exchange');
  await expect(page.getByRole('heading', { level: 1, name: 'Key exchange' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Exchange' })).toHaveAttribute('aria-current', 'page');
  await axe(page, 'exchange setup');

  // X25519 is offered in Chromium: an honest exchange on it, step by step.
  await expect(page.getByRole('option', { name: 'X25519 (Curve25519)' })).toBeEnabled();
  await start(page, { attacker: 'none', curve: 'X25519' });
  await page.getByRole('button', { name: 'Next step' }).click();
  const steps = page.getByRole('list', { name: 'Exchange steps' });
  await expect(steps.getByRole('heading', { name: /Alice makes an ephemeral X25519 key pair/ })).toBeVisible();
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(steps.getByRole('heading', { name: /Bob agrees a secret/ })).toBeVisible();
  await page.getByRole('button', { name: 'Run to the end' }).click();
  await expect(page.getByText('Fingerprints match')).toBeVisible();
  await expect(page.getByText(/^Exchange complete/)).toBeVisible();
  await send(page, 'Alice', 'hello Bob');
  await expect(lastRow(page)).toContainText('hello Bob');
  await send(page, 'Bob', 'hello Alice');
  await expect(lastRow(page).getByRole('cell').last()).toHaveText('hello Alice');
  await axe(page, 'exchange complete');

  // The man in the middle.
  await start(page, { attacker: 'substitute' });
  await page.getByRole('button', { name: 'Run to the end' }).click();
  await expect(page.getByRole('alert')).toContainText('Fingerprints differ: a man in the middle');
  const alice = page.getByRole('region', { name: "Alice's view" });
  const bob = page.getByRole('region', { name: "Bob's view" });
  const aliceKcv = await alice.getByText('session key check value').locator('xpath=following-sibling::dd').innerText();
  const bobKcv = await bob.getByText('session key check value').locator('xpath=following-sibling::dd').innerText();
  expect(aliceKcv).not.toBe(bobKcv);
  const mallory = page.getByRole('region', { name: "Mallory's view" });
  await expect(mallory).toContainText(aliceKcv);
  await expect(mallory).toContainText(bobKcv);
  await expect(steps.getByText('replaced').first()).toBeVisible();
  await send(page, 'Alice', 'PIN 1234');
  await expect(lastRow(page)).toHaveText(/Alice → Bob\s*PIN 1234.*PIN 1234\s*PIN 1234/);
  await send(page, 'Alice', 'pay Bob 10', 'pay Mallory 1000');
  await expect(lastRow(page).getByRole('cell').nth(3)).toHaveText('pay Bob 10 (altered)');
  await expect(lastRow(page).getByRole('cell').last()).toHaveText('pay Mallory 1000');
  await axe(page, 'man in the middle');

  // A passive eavesdropper sees only ciphertext; what it alters is refused.
  await start(page, { attacker: 'eavesdrop' });
  await page.getByRole('button', { name: 'Run to the end' }).click();
  await expect(page.getByText('Fingerprints match')).toBeVisible();
  await send(page, 'Bob', 'private');
  await expect(lastRow(page).getByRole('cell').nth(3)).toHaveText('only ciphertext');
  await expect(lastRow(page).getByRole('cell').last()).toHaveText('private');
  await send(page, 'Bob', 'more', 'changed');
  await expect(lastRow(page).getByRole('cell').last()).toContainText('refused');
});

test('authenticated exchange: Alice and Bob with Clavis CA certificates read each other; the man in the middle is detected', async ({ page }) => {
  await page.goto('/#/exchange');
  await page.getByRole('radio', { name: /^Authenticated/ }).check();
  await page.getByRole('button', { name: 'Create demo parties (Alice, Bob, Mallory)' }).click();
  await expect(page.getByRole('combobox', { name: 'Initiator certificate' })).toHaveValue(/.+/);
  await expect(page.getByRole('combobox', { name: 'Responder certificate' })).toHaveValue(/.+/);
  await axe(page, 'authenticated setup');

  await start(page, { attacker: 'eavesdrop' });
  await page.getByRole('button', { name: 'Run to the end' }).click();
  await expect(page.getByText('Fingerprints match')).toBeVisible();
  const aliceChecks = page.getByRole('list', { name: 'Checks by Alice' });
  await expect(aliceChecks).toContainText('certificate-chain: passed');
  await expect(aliceChecks).toContainText('certificate-revocation: passed');
  await expect(aliceChecks).toContainText('signature: passed');
  await expect(page.getByRole('list', { name: 'Checks by Bob' }).last()).toContainText('key-confirmation: passed');
  await send(page, 'Alice', 'authenticated hello');
  await expect(lastRow(page).getByRole('cell').nth(3)).toHaveText('only ciphertext');
  await expect(lastRow(page).getByRole('cell').last()).toHaveText('authenticated hello');

  // The same attack as before, now detected.
  await start(page, { attacker: 'substitute' });
  await expect(page.getByRole('radio', { name: /Relay the parties/ })).toBeChecked();
  await page.getByRole('button', { name: 'Run to the end' }).click();
  await expect(page.getByRole('alert')).toContainText('Attack detected — exchange refused (signature)');
  await expect(page.getByRole('list', { name: 'Checks by Alice' })).toContainText('signature: FAILED');
  await expect(page.getByRole('button', { name: 'Send message' })).toHaveCount(0);
  await axe(page, 'attack refused');

  // Mallory signing with his own valid certificate: the identity check catches it.
  await page.getByRole('combobox', { name: 'Attacker in the middle' }).selectOption('substitute');
  await page.getByRole('radio', { name: 'Sign with its own valid certificate' }).check();
  await page.getByRole('button', { name: 'Start exchange' }).click();
  await page.getByRole('button', { name: 'Run to the end' }).click();
  await expect(page.getByRole('alert')).toContainText('exchange refused (identity)');
  await expect(page.getByRole('alert')).toContainText('Mallory');

  // The demo parties live in the demo's own database: the user's vault holds no key, CA
  // or certificate of theirs, and the screens that read the vault do not offer them.
  const counts = await page.evaluate(async () => {
    const count = async (name: string) => {
      if (!(await indexedDB.databases()).some((d) => d.name === name)) return {};
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const out: Record<string, number> = {};
      for (const store of ['keys', 'cas', 'certs'].filter((s) => db.objectStoreNames.contains(s))) {
        out[store] = await new Promise<number>((res, rej) => {
          const r = db.transaction(store).objectStore(store).count();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
      }
      db.close();
      return out;
    };
    return { user: await count('clavis'), demo: await count('clavis-exchange-demo') };
  });
  expect(counts.demo.keys).toBeGreaterThanOrEqual(3);
  expect(counts.demo.certs).toBeGreaterThanOrEqual(3);
  expect(counts.user.keys ?? 0).toBe(0);
  expect(counts.user.cas ?? 0).toBe(0);
  expect(counts.user.certs ?? 0).toBe(0);
  await page.goto('/#/keys');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: /Alice|Bob|Mallory/ })).toHaveCount(0);
  await page.goto('/#/certs/issue');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByRole('option', { name: /exchange signing key/ })).toHaveCount(0);
});

test('forward secrecy and classic Diffie–Hellman with small numbers', async ({ page }) => {
  await page.goto('/#/exchange');
  await page.getByRole('textbox', { name: 'Recorded message' }).fill('meet at dawn');
  await page.getByRole('button', { name: 'Record, then steal the long-term keys' }).click();
  await expect(page.getByRole('region', { name: /Ephemeral ECDH keys/ })).toContainText('Recorded message recovered: no — it stays sealed');
  await expect(page.getByRole('region', { name: /Static \(long-term\) ECDH keys/ })).toContainText('Recorded message recovered: yes — “meet at dawn”');
  await page.getByRole('button', { name: 'Compute step by step' }).click();
  await expect(page.getByRole('table', { name: /p = 23, g = 5: both sides reach 2/ })).toBeVisible();
  await expect(page.getByRole('figure')).toContainText('Powers of g = 5 modulo 23');
  await axe(page, 'forward secrecy and classic DH');
});
