// Walkthroughs end to end in Chromium (issue: visual walkthroughs; PRODUCT.md F1–F3):
// every walkthrough from its first step to its last through the production build,
// checking on each step that what is shown comes from the engine (ids and key check
// values carried from one step to the next, states that change), a deep link to a middle
// step opened directly, a screenshot of every step (a test artifact, not committed),
// axe on the index and a step page, and the user's own data untouched by a run and a
// reset.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page, TestInfo } from '@playwright/test';
import { expect, test } from './fixtures';

async function axe(page: Page, where: string) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((v) => `${where}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** A full-page screenshot of the current step, attached to the test's report. */
async function shot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Waits until step `i` (0-based) of `n` has run and its data is shown. */
async function atStep(page: Page, i: number, n: number, title: string) {
  await expect(page.getByRole('heading', { level: 2, name: `Step ${i + 1} of ${n}: ${title}` })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'What the engine returned' })).toBeVisible();
}

/** The region of one datum, by its label. */
const datum = (page: Page, label: string | RegExp): Locator => page.getByRole('region', { name: label, exact: typeof label === 'string' });
const code = async (page: Page, label: string) => ((await datum(page, label).locator('code').first().textContent()) ?? '').trim();

async function next(page: Page) {
  await page.getByRole('button', { name: 'Next' }).click();
}

/** Every record of the user's own database ('clavis'), bytes as hex, CryptoKeys described. */
async function userData(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name);
    if (!names.includes('clavis')) return '(no user database)';
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('clavis');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const describe = (v: unknown): unknown => {
      if (v instanceof CryptoKey) return { cryptoKey: v.type, extractable: v.extractable, algorithm: v.algorithm, usages: v.usages };
      if (v instanceof ArrayBuffer) return { bytes: hex(new Uint8Array(v)) };
      if (ArrayBuffer.isView(v)) return { bytes: hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
      if (Array.isArray(v)) return v.map(describe);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describe(x)]));
      return v;
    };
    const out: Record<string, unknown> = {};
    for (const store of Array.from(db.objectStoreNames).sort()) {
      out[store] = await new Promise((res, rej) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => res(describe(r.result));
        r.onerror = () => rej(r.error);
      });
    }
    db.close();
    return JSON.stringify(out);
  });
}

const databases = (page: Page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? '').sort());

test.describe('walkthroughs 1, 4 and 5 (KDC, key life, replay attacks)', () => {
  test('F1/F2: the index and a step page are axe-clean; the index links every walkthrough', async ({ page }, testInfo) => {
    await page.goto('/#/walkthroughs');
    await expect(page.getByRole('heading', { level: 1, name: 'Walkthroughs' })).toBeVisible();
    for (const name of ['1. A symmetric key through the KDC', '4. A key’s life', '5. Replay attacks on key distribution']) {
      await expect(page.getByRole('link', { name })).toBeVisible();
    }
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Walkthroughs' })).toHaveAttribute('aria-current', 'page');
    await axe(page, 'index');
    await shot(page, testInfo, 'walkthroughs-index');
    await page.getByRole('link', { name: '1. A symmetric key through the KDC' }).click();
    await atStep(page, 0, 10, 'Register two principals');
    await axe(page, 'kdc step 1');
    await page.goto('/#/walkthroughs/key-life/1');
    await atStep(page, 1, 9, 'Activate it');
    await axe(page, 'key-life step 2 (state diagram)');
  });

  test('F1/F3: walkthrough 1, a symmetric key through the KDC, first to last step on the real engine', async ({ page }, testInfo) => {
    const N = 10;
    await page.goto('/#/walkthroughs/kdc-symmetric/0');
    await atStep(page, 0, N, 'Register two principals');
    const kcvAlice = await code(page, 'KCV of K_alice');
    expect(kcvAlice).toMatch(/^[0-9a-f]{6}$/);
    await expect(page.getByRole('img', { name: /Sequence diagram: alice, KDC, bob/ })).toBeVisible();
    await shot(page, testInfo, 'kdc-1-register');

    // Keyboard only: Tab to Next and press Enter.
    await page.getByRole('button', { name: 'Next' }).focus();
    await page.keyboard.press('Enter');
    await atStep(page, 1, N, 'Alice asks for a session key');
    await expect(page).toHaveURL(/#\/walkthroughs\/kdc-symmetric\/1$/);
    await expect(datum(page, /^Message 1 on the wire/)).toContainText('"type":"kdc-request"');
    await shot(page, testInfo, 'kdc-2-request');

    await next(page);
    await atStep(page, 2, N, 'The KDC issues the key and a ticket');
    const ticketId = await code(page, 'Ticket id');
    const keyId = await code(page, 'Session key id');
    const recordKcv = await code(page, 'KCV of K_AB in the KDC’s record');
    expect(ticketId.length).toBeGreaterThan(8);
    await expect(datum(page, /^Message 2 on the wire/)).toContainText('"type":"kdc-reply"');
    await shot(page, testInfo, 'kdc-3-ticket');

    await next(page);
    await atStep(page, 3, N, 'Alice delivers the ticket to Bob');
    // The ticket delivered is the one the KDC issued on the previous step.
    expect(await code(page, 'Ticket id being delivered')).toBe(ticketId);
    await expect(datum(page, /^Message 3 on the wire/)).toContainText('"type":"ap-request"');
    await shot(page, testInfo, 'kdc-4-deliver');

    await next(page);
    await atStep(page, 4, N, 'Both sides confirm the key');
    await expect(datum(page, 'Key confirmed on both sides')).toContainText('Yes');
    await shot(page, testInfo, 'kdc-5-confirm');

    await next(page);
    await atStep(page, 5, N, 'Alice sends Bob a message');
    await expect(datum(page, 'Bob read exactly what Alice sent')).toContainText('Yes');
    await expect(datum(page, 'What bob read after opening it')).toContainText('Meet at the north gate at noon.');
    await shot(page, testInfo, 'kdc-6-message');

    await next(page);
    await atStep(page, 6, N, 'Check the key against the KDC’s record');
    // Both holders' key check values equal the KDC's, which is the one shown at issue.
    expect(await code(page, 'KCV in the KDC’s record')).toBe(recordKcv);
    expect(await code(page, 'KCV of alice’s copy')).toBe(recordKcv);
    expect(await code(page, 'KCV of bob’s copy')).toBe(recordKcv);
    await shot(page, testInfo, 'kdc-7-verify');

    await next(page);
    await atStep(page, 7, N, 'Revoke the session key');
    await expect(datum(page, 'The KDC’s record of K_AB')).toContainText(keyId);
    await expect(datum(page, 'The KDC’s record of K_AB').getByRole('row', { name: /^revoked true/ })).toBeVisible();
    await shot(page, testInfo, 'kdc-8-revoke');

    await next(page);
    await atStep(page, 8, N, 'The next use fails');
    for (const label of [/^Refused: alice seals/, /^Refused: bob opens/, /^Refused: alice presents/]) {
      await expect(datum(page, label)).toContainText('Yes');
    }
    await expect(datum(page, /^Refused: alice presents/)).toContainText('key-revoked');
    await shot(page, testInfo, 'kdc-9-refused');

    // Seed 001's other route: a session key wrapped under an X25519-derived key.
    await next(page);
    await atStep(page, 9, N, 'Another route: a session key wrapped under a Diffie–Hellman key');
    await expect(datum(page, 'Both sides derived the same wrapping key')).toContainText('Yes');
    await expect(datum(page, 'bob holds the session key alice sent')).toContainText('Yes');
    expect(await code(page, 'KCV of K_AB at bob after unwrapping')).toBe(await code(page, 'KCV of K_AB at alice'));
    await expect(page.getByRole('link', { name: 'All walkthroughs' })).toBeVisible();
    await shot(page, testInfo, 'kdc-10-dh-wrap');

    // Back shows the earlier step as it ran (the same ticket), without running it again.
    await page.goto('/#/walkthroughs/kdc-symmetric/2');
    await atStep(page, 2, N, 'The KDC issues the key and a ticket');
    expect(await code(page, 'Ticket id')).toBe(ticketId);
    expect(await databases(page)).toContain('clavis-walkthrough-kdc-symmetric');
  });

  test('F2: a deep link to a middle step rebuilds it from scratch when opened directly', async ({ page }) => {
    await page.goto('/#/walkthroughs/kdc-symmetric/3');
    await atStep(page, 3, 10, 'Alice delivers the ticket to Bob');
    const delivered = await code(page, 'Ticket id being delivered');
    // Steps 1–3 ran in this fresh tab: Back shows the ticket the rebuilt step issued.
    await page.getByRole('button', { name: 'Back' }).click();
    await atStep(page, 2, 10, 'The KDC issues the key and a ticket');
    expect(await code(page, 'Ticket id')).toBe(delivered);

    // A reload is a fresh start: a new run, so a new ticket.
    await page.goto('/#/walkthroughs/key-life/4');
    await atStep(page, 4, 9, 'Move the clock past protect-stop');
    await page.goto('/#/walkthroughs/kdc-symmetric/3');
    await page.reload();
    await atStep(page, 3, 10, 'Alice delivers the ticket to Bob');
    expect(await code(page, 'Ticket id being delivered')).not.toBe(delivered);
    // "Rebuild this step from scratch" runs steps 1–4 again: yet another ticket.
    const second = await code(page, 'Ticket id being delivered');
    await page.getByRole('button', { name: 'Rebuild this step from scratch' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'rebuilt from scratch' })).toBeVisible();
    expect(await code(page, 'Ticket id being delivered')).not.toBe(second);
  });

  test('F1/F3: walkthrough 4, a key’s life, first to last step; the key’s state changes on the state diagram', async ({ page }, testInfo) => {
    const N = 9;
    const steps: Array<[string, RegExp]> = [
      ['Generate a key that starts tomorrow', /Key state: pre-activation/],
      ['Activate it', /pre-activation.*active/],
      ['Use it', /Key state: active/],
      ['Rotate it', /active.*deactivated/],
      ['Move the clock past protect-stop', /active.*deactivated/],
      ['The key is compromised', /deactivated.*compromised/],
      ['Revoke every key Alice owns', /deactivated.*compromised/],
      ['Destroy it', /compromised.*destroyed-compromised/],
      ['Read the audit log', /Key state: destroyed-compromised/],
    ];
    const current = ['Pre-activation', 'Active', 'Active', 'Deactivated', 'Deactivated', 'Compromised', 'Compromised', 'Destroyed (compromised)', 'Destroyed (compromised)'];
    await page.goto('/#/walkthroughs/key-life/0');
    let keyId = '';
    for (const [i, [title, transition]] of steps.entries()) {
      await atStep(page, i, N, title);
      await expect(page.locator('.wt-transition')).toHaveText(transition);
      // The app's state diagram marks the key's current state.
      await expect(page.getByRole('img', { name: new RegExp(`^Key lifecycle state diagram.*Current state: ${current[i]!.replace(/[()]/g, '\\$&')}\\.`) })).toBeVisible();
      if (i === 0) {
        keyId = (await datum(page, 'Key orders-db v1').getByRole('row', { name: /^id / }).locator('code').textContent()) ?? '';
        expect(keyId).not.toBe('');
      }
      if (i === 2) {
        // The envelope names the key generated on step 1.
        await expect(datum(page, /^Ciphertext envelope/)).toContainText(`key id "${keyId}"`);
        await expect(datum(page, 'Decrypts to the same text')).toContainText('Yes');
      }
      if (i === 4) {
        await expect(datum(page, 'Refused: encrypt with orders-db v2 after protect-stop')).toContainText('Yes');
        // The namespace engine's clock moved; the app's own clock did not.
        await expect(page.getByText(/^Simulated time:/)).toHaveCount(0);
      }
      if (i === 6) await expect(datum(page, 'Refused: a new key for Alice')).toContainText('KEY_STATE');
      if (i === 7) await expect(datum(page, /^Refused: decrypt the rewrapped invoice/)).toContainText('Yes');
      if (i === 8) await expect(datum(page, 'Audit chain verifies')).toContainText('Yes');
      for (const c of await page.locator('.wt-check').all()) await expect(c).toContainText('Yes');
      await shot(page, testInfo, `key-life-${i + 1}`);
      if (i < N - 1) await next(page);
    }
  });

  test('F1/F3: walkthrough 5, replay attacks: the 1978 protocol falls, Clavis refuses every replay', async ({ page }, testInfo) => {
    const N = 8;
    await page.goto('/#/walkthroughs/replay-attacks/0');
    await atStep(page, 0, N, 'Mallory records a key distribution');
    const recorded = await code(page, 'Ticket id Mallory recorded');
    await expect(page.getByRole('img', { name: /Sequence diagram: alice, KDC, bob, mallory/ })).toBeVisible();
    await shot(page, testInfo, 'replay-1-record');

    await next(page);
    await atStep(page, 1, N, 'Denning–Sacco breaks the 1978 protocol');
    await expect(datum(page, /^Original Needham–Schroeder \(1978\).*: the attack succeeded$/)).toContainText('No');
    await shot(page, testInfo, 'replay-2-denning-sacco-1978');

    await next(page);
    await atStep(page, 2, N, 'Replay the recorded ticket to Bob at once');
    // The replayed ticket is the one recorded on the previous-but-one step.
    expect(await code(page, 'Ticket id in the replayed message')).toBe(recorded);
    await expect(datum(page, 'Bob refuses the replay')).toContainText('replay-cache');
    await shot(page, testInfo, 'replay-3-at-once');

    await next(page);
    await atStep(page, 3, N, 'Replay it six minutes later');
    await expect(datum(page, 'Bob refuses the stale authenticator')).toContainText('skew');
    await shot(page, testInfo, 'replay-4-later');

    await next(page);
    await atStep(page, 4, N, 'Denning–Sacco against Clavis');
    await expect(datum(page, /^Clavis's protocol.*: the attack failed$/)).toContainText('expiry');
    await shot(page, testInfo, 'replay-5-denning-sacco-clavis');

    for (const [i, title, check] of [
      [5, 'Replay an old KDC reply', 'nonce'],
      [6, 'Reflect Bob’s proof back to him', 'key-confirmation'],
    ] as const) {
      await next(page);
      await atStep(page, i, N, title);
      await expect(datum(page, /: the attack succeeded$/)).toContainText('No');
      await expect(datum(page, /^Clavis's protocol.*: the attack failed$/)).toContainText(check);
      await shot(page, testInfo, `replay-${i + 1}`);
    }

    await next(page);
    await atStep(page, 7, N, 'Every refusal is on record');
    await expect(datum(page, 'Audit chain verifies')).toContainText('Yes');
    const logged = datum(page, /^Refusals logged/);
    for (const check of ['replay-cache', 'skew', 'expiry', 'nonce']) await expect(logged).toContainText(check);
    await shot(page, testInfo, 'replay-8-audit');
  });

  test('F3: a walkthrough run and a reset leave the user’s own data exactly as it was', async ({ page }) => {
    // The user's own key, made through the vault screen.
    await page.goto('/#/keys/new');
    await page.getByRole('textbox', { name: /^Name/ }).fill('my own key');
    await page.getByRole('combobox', { name: 'Template' }).selectOption('AES-GCM-256');
    await page.getByRole('button', { name: 'Generate key' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'my own key' })).toBeVisible();
    const before = await userData(page);
    expect(before).toContain('my own key');

    // A whole walkthrough that moves its clock, compromises, revokes and destroys keys…
    await page.goto('/#/walkthroughs/key-life/8');
    await atStep(page, 8, 9, 'Read the audit log');
    await page.goto('/#/walkthroughs/kdc-symmetric/8');
    await atStep(page, 8, 10, 'The next use fails');
    expect(await databases(page)).toEqual(expect.arrayContaining(['clavis', 'clavis-walkthrough-key-life', 'clavis-walkthrough-kdc-symmetric']));
    expect(await userData(page)).toBe(before);

    // …then a reset of one walkthrough, then of all: only walkthrough databases go.
    await page.getByRole('button', { name: 'Reset this walkthrough' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'This walkthrough’s data was deleted' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Start again from step 1' })).toBeVisible();
    expect(await databases(page)).not.toContain('clavis-walkthrough-kdc-symmetric');
    await page.goto('/#/walkthroughs');
    await page.getByRole('button', { name: 'Delete all walkthrough data' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Your own keys, CAs and KDC were not touched' })).toBeVisible();
    expect((await databases(page)).filter((n) => n.startsWith('clavis-walkthrough-'))).toEqual([]);
    expect(await userData(page)).toBe(before);
    await page.goto('/#/keys');
    await expect(page.getByRole('link', { name: 'my own key' })).toBeVisible();
    await expect(page.getByText(/^Simulated time:/)).toHaveCount(0);

    // Issue 16: after the data was deleted, opening a walkthrough rebuilds its step (not an
    // empty step with a disabled Next), both the one reset on its own page and the others.
    for (const [name, title, n] of [['1. A symmetric key through the KDC', 'Register two principals', 10], ['4. A key’s life', 'Generate a key that starts tomorrow', 9]] as const) {
      await page.goto('/#/walkthroughs');
      await page.getByRole('link', { name, exact: true }).click();
      await atStep(page, 0, n, title);
      await expect(page.getByRole('button', { name: /Next/ })).toBeEnabled();
    }
  });

  test('F2: an object link opened in a fresh tab rebuilds the step that made it and shows the object', async ({ page }) => {
    // key-life step 2 (activate) links one key; an id from another page load is not found, so the rebuilt one is shown.
    await page.goto('/#/walkthroughs/key-life/1/key/key_0123456789abcdef0123456789abcdef');
    await expect(page.getByRole('complementary', { name: 'Walkthrough data' })).toContainText('Step 2 was rebuilt from scratch');
    await expect(page.getByRole('heading', { level: 1, name: 'orders-db' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Walkthrough object not available' })).toHaveCount(0);
    expect(await databases(page)).toContain('clavis-walkthrough-key-life');
  });

  test('F2: a step is readable on a phone-sized screen and at 1280×720', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto('/#/walkthroughs/kdc-symmetric/3');
    await atStep(page, 3, 10, 'Alice delivers the ticket to Bob');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible').slice(0, 15).map((e) => `${e.tagName}.${e.className} ${e.scrollWidth}>${e.clientWidth}`).join('\n'));
    expect(overflow, `elements wider than the screen:\n${wide}`).toBeLessThanOrEqual(1);
    await shot(page, testInfo, 'phone-kdc-4');
    await page.setViewportSize({ width: 1280, height: 720 });
    await expect(page.getByRole('button', { name: 'Next' })).toBeVisible();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(1);
    await shot(page, testInfo, 'desktop-kdc-4');
  });

  test('F2: the current message draws itself in, unless the user asks for reduced motion', async ({ page }) => {
    const animation = () => page.locator('.wt-msg-current .wt-msg-line').first().evaluate((e) => getComputedStyle(e).animationName);
    await page.goto('/#/walkthroughs/kdc-symmetric/1');
    await atStep(page, 1, 10, 'Alice asks for a session key');
    expect(await animation()).toBe('wt-draw');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await animation()).toBe('none');
    // Still all there without motion: the message is drawn and listed as text.
    await expect(page.getByRole('listitem').filter({ hasText: '(this step)' })).toContainText('alice → KDC');
  });
});

// ---------------------------------------------------------------------------------------
// Walkthroughs 2 and 3 (a certificate's life, Diffie–Hellman): the other helper's
// `test.describe` block goes below this line.
// ---------------------------------------------------------------------------------------
test.describe('walkthroughs 2 and 3', () => {
  /** Every record of one store of a walkthrough's own database, bytes as hex, as JSON. */
  const wtStore = (page: Page, db: string, store: string) =>
    page.evaluate(
      async ([dbName, storeName]) => {
        const conn = await new Promise<IDBDatabase>((res, rej) => {
          const r = indexedDB.open(dbName!);
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
        const plain = (v: unknown): unknown => {
          if (v instanceof CryptoKey) return { cryptoKey: v.type, extractable: v.extractable };
          if (v instanceof ArrayBuffer) return hex(new Uint8Array(v));
          if (ArrayBuffer.isView(v)) return hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
          if (Array.isArray(v)) return v.map(plain);
          if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
          return v;
        };
        try {
          return await new Promise<unknown[]>((res, rej) => {
            const r = conn.transaction(storeName!).objectStore(storeName!).getAll();
            r.onsuccess = () => res(plain(r.result) as unknown[]);
            r.onerror = () => rej(r.error);
          });
        } finally {
          conn.close();
        }
      },
      [db, store],
    );
  /** The hex of a hex datum (every segment, or the one named), without the display spacing. */
  const hexOf = async (page: Page, label: string | RegExp, segment?: string) => {
    const region = datum(page, label);
    const seg = segment ? region.getByRole('listitem').filter({ hasText: segment }).locator('code') : region.locator('code');
    return (await seg.allTextContents()).join('').replace(/\s+/g, '');
  };
  const checkOf = (page: Page, label: string | RegExp) => datum(page, label).locator('.wt-check');
  const yes = (page: Page, label: string | RegExp) => expect(checkOf(page, label)).toContainText('Yes');
  const no = (page: Page, label: string | RegExp) => expect(checkOf(page, label)).toContainText('No');
  const pemToHex = (pem: string) => Buffer.from(pem.replace(/-----[A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64').toString('hex');

  test('F1/F3: walkthrough 2, a certificate’s life, first to last step: the CRL names the serial issued earlier and the second verification fails at the revocation check', async ({ page }, testInfo) => {
    const N = 8;
    const DB = 'clavis-walkthrough-certificate-life';
    const chainText = () => page.locator('.wt-chain-node');
    await page.goto('/#/walkthroughs/certificate-life/0');

    // 1. Root: the PEM shown is the DER shown, and both are the certificate in the walkthrough's database.
    await atStep(page, 0, N, 'Create a root CA');
    await expect(chainText()).toHaveText([/Root: Walkthrough Root CA \(valid\)/]);
    const rootSerial = await hexOf(page, 'Serial number');
    const rootPem = (await datum(page, 'Root certificate (PEM)').locator('pre').textContent()) ?? '';
    expect(rootPem).toContain('-----BEGIN CERTIFICATE-----');
    const rootDer = ((await datum(page, 'Root certificate (decoded DER)').locator('details pre').textContent()) ?? '').replace(/\s+/g, '');
    expect(pemToHex(rootPem)).toBe(rootDer);
    await expect(datum(page, 'Root certificate (decoded DER)').locator('.wt-asn1-value', { hasText: /^Walkthrough Root CA$/ }).first()).toBeVisible();
    const rootFp = (await code(page, 'Certificate SHA-256 fingerprint')).replaceAll(':', '');
    const rootSubject = await code(page, 'Subject (= issuer: self-signed)');
    const certsAt1 = (await wtStore(page, DB, 'certs')) as Array<{ serialHex: string; sha256: string; der: string; subject: string }>;
    expect(certsAt1).toEqual([expect.objectContaining({ serialHex: rootSerial, sha256: rootFp, der: rootDer, subject: rootSubject })]);
    await shot(page, testInfo, 'certificate-life-1-root');

    // 2. Intermediate, issued by that root.
    await next(page);
    await atStep(page, 1, N, 'Create an intermediate CA');
    await expect(chainText()).toHaveText([/Root: Walkthrough Root CA \(valid\)/, /Intermediate: Walkthrough Issuing CA \(valid\)/]);
    expect(await code(page, 'Issuer')).toBe(rootSubject);
    const cas = (await wtStore(page, DB, 'cas')) as Array<{ id: string; name: string; kind: string; parentId?: string; pathLen?: number }>;
    const rootCa = cas.find((c) => c.kind === 'root')!;
    expect(cas.find((c) => c.kind === 'intermediate')).toMatchObject({ name: 'Walkthrough Issuing CA', parentId: rootCa.id, pathLen: 0 });
    await shot(page, testInfo, 'certificate-life-2-intermediate');

    // 3. A key and a request signed by it.
    await next(page);
    await atStep(page, 2, N, 'Create a key and a certificate request');
    await yes(page, 'Proof of possession');
    await expect(datum(page, 'Certificate request (PEM)')).toContainText('-----BEGIN CERTIFICATE REQUEST-----');
    const keyFp = (await code(page, 'Key fingerprint (SHA-256 of the public key)')).replaceAll(':', '');
    const keys = (await wtStore(page, DB, 'keys')) as Array<{ name: string; state: string; extractable: boolean; fingerprint: { value: string } }>;
    expect(keys.find((k) => k.fingerprint.value === keyFp)).toMatchObject({ name: 'app.walkthrough.test TLS key', state: 'active', extractable: false });
    await shot(page, testInfo, 'certificate-life-3-csr');

    // 4. Issue: a fresh serial, for that key.
    await next(page);
    await atStep(page, 3, N, 'Issue the certificate');
    await expect(chainText()).toHaveText([/\(valid\)/, /\(valid\)/, /Leaf: app\.walkthrough\.test \(valid\)/]);
    const serial = await hexOf(page, 'Serial number');
    expect(serial).toMatch(/^[0-9a-f]{16,40}$/);
    expect(serial).not.toBe(rootSerial);
    await yes(page, 'Certifies the key from the request');
    const leafDer = ((await datum(page, 'Certificate (decoded DER)').locator('details pre').textContent()) ?? '').replace(/\s+/g, '');
    expect(pemToHex((await datum(page, 'Certificate (PEM)').locator('pre').textContent()) ?? '')).toBe(leafDer);
    await expect(datum(page, 'Certificate (decoded DER)').locator('.wt-asn1-value', { hasText: new RegExp(`^${serial}$`) })).toHaveCount(1);
    const leaf = ((await wtStore(page, DB, 'certs')) as Array<{ serialHex: string; spkiSha256: string; der: string; profile: string }>).find((c) => c.serialHex === serial);
    expect(leaf).toMatchObject({ spkiSha256: keyFp, der: leafDer, profile: 'tls-server' });
    await shot(page, testInfo, 'certificate-life-4-issue');

    // 5. Verify: every check passes.
    await next(page);
    await atStep(page, 4, N, 'Verify the chain');
    await yes(page, 'Chain verification');
    await yes(page, 'Check revocation-0');
    for (const c of await page.locator('.wt-check').all()) await expect(c).toContainText('Yes');
    const consulted = await code(page, 'CRL consulted');
    const crlBefore = Number(/CRL number (\d+)/.exec(consulted)?.[1]);
    expect(crlBefore).toBeGreaterThan(0);
    await shot(page, testInfo, 'certificate-life-5-verify');

    // 6. Revoke: the serial issued on step 4, for key compromise; the vault key is compromised too.
    await next(page);
    await atStep(page, 5, N, 'Revoke the certificate (key compromise)');
    await expect(chainText().last()).toHaveText(/Leaf: app\.walkthrough\.test \(revoked\)/);
    expect(await hexOf(page, 'Revoked serial number')).toBe(serial);
    expect(await code(page, 'Reason')).toMatch(/^keyCompromise/);
    expect(await code(page, 'Vault key state')).toBe('compromised');
    await yes(page, 'New CRL signed');
    const revs = (await wtStore(page, DB, 'revocations')) as Array<{ serialHex: string; reason: number }>;
    expect(revs).toEqual([expect.objectContaining({ serialHex: serial, reason: 1 })]);
    const keysAfter = (await wtStore(page, DB, 'keys')) as Array<{ state: string; fingerprint: { value: string } }>;
    expect(keysAfter.find((k) => k.fingerprint.value === keyFp)?.state).toBe('compromised');
    await shot(page, testInfo, 'certificate-life-6-revoke');

    // 7. The CRL: the serial on it is the one issued on step 4, inside the signed CRL's own bytes.
    await next(page);
    await atStep(page, 6, N, 'See the CRL change');
    expect(await hexOf(page, 'Serial number on the CRL')).toBe(serial);
    await yes(page, 'The CRL names the certificate issued earlier');
    await yes(page, 'The CRL number grew');
    const crlJson = (label: string) => datum(page, label).locator('pre').textContent().then((t) => JSON.parse(t ?? 'null') as { number: number; entries: number });
    expect(await crlJson('CRL before the revocation')).toMatchObject({ number: crlBefore, entries: 0 });
    const crlAfter = await crlJson('CRL after the revocation');
    expect(crlAfter).toMatchObject({ entries: 1 });
    expect(crlAfter.number).toBeGreaterThan(crlBefore);
    const crlDer = ((await datum(page, 'CRL (decoded DER)').locator('details pre').textContent()) ?? '').replace(/\s+/g, '');
    expect(pemToHex((await datum(page, 'CRL (PEM)').locator('pre').textContent()) ?? '')).toBe(crlDer);
    await expect(datum(page, 'CRL (decoded DER)').locator('.wt-asn1-value', { hasText: new RegExp(`^${serial}$`) })).toHaveCount(1);
    const crls = (await wtStore(page, DB, 'crls')) as Array<{ number: number; der: string; entries: number }>;
    expect(crls.find((c) => c.number === crlAfter.number && c.entries === 1)?.der).toBe(crlDer);
    await shot(page, testInfo, 'certificate-life-7-crl');

    // 8. Verify again: only the revocation check of the certificate fails.
    await next(page);
    await atStep(page, 7, N, 'Verify again: one check fails');
    await expect(chainText().last()).toHaveText(/Leaf: app\.walkthrough\.test \(fails verification\)/);
    await no(page, 'Chain verification');
    await no(page, 'Check revocation-0');
    await expect(checkOf(page, 'Check revocation-0')).toContainText(`the certificate is revoked (CRL ${crlAfter.number}, reason 1)`);
    await expect(datum(page, 'Failing check')).toContainText(/^Failing check\s*revocation-0: the certificate is revoked/);
    const checks = page.getByRole('region', { name: /^Check / });
    const count = await checks.count();
    expect(count).toBeGreaterThan(5);
    for (let i = 0; i < count; i++) {
      const region = checks.nth(i);
      const name = (await region.getByRole('heading').textContent()) ?? '';
      await expect(region.locator('.wt-check')).toContainText(name === 'Check revocation-0' ? 'No' : 'Yes');
    }
    await expect(page.getByRole('link', { name: 'All walkthroughs' })).toBeVisible();
    await axe(page, 'certificate-life step 8 (chain diagram, failing check)');
    await shot(page, testInfo, 'certificate-life-8-verify-again');
  });

  test('F2: a deep link to the CRL step rebuilds it: the serial on the rebuilt CRL is the one the rebuilt issue step shows', async ({ page }) => {
    await page.goto('/#/walkthroughs/certificate-life/6');
    await atStep(page, 6, 8, 'See the CRL change');
    const onCrl = await hexOf(page, 'Serial number on the CRL');
    for (let i = 5; i >= 3; i--) await page.getByRole('button', { name: 'Back' }).click();
    await atStep(page, 3, 8, 'Issue the certificate');
    expect(await hexOf(page, 'Serial number')).toBe(onCrl);
  });

  test('F2: a step links the objects it made to their own pages, which read the walkthrough’s database, not the user’s', async ({ page }) => {
    await page.goto('/#/walkthroughs/certificate-life/3');
    await atStep(page, 3, 8, 'Issue the certificate');
    const serial = await hexOf(page, 'Serial number');
    await page.getByRole('link', { name: 'Certificate for app.walkthrough.test' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'app.walkthrough.test' })).toBeVisible();
    await expect(page.getByRole('complementary', { name: 'Walkthrough data' })).toContainText('kept in its own database');
    const shown = ((await page.locator('dt', { hasText: 'Serial number' }).locator('xpath=following-sibling::dd[1]').textContent()) ?? '').replace(/[\s:]/g, '').toLowerCase();
    expect(shown).toBe(serial.toLowerCase());
    await axe(page, 'a walkthrough certificate on its own page');
    await page.getByRole('link', { name: 'Back to step 4' }).click();
    await atStep(page, 3, 8, 'Issue the certificate');
    // The user's own inventory never saw it.
    await page.goto('/#/certs');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.getByText('app.walkthrough.test')).toHaveCount(0);
  });

  test('F1/F3: walkthrough 3, Diffie–Hellman, first to last step: the keys agree honestly, differ under attack, and the authenticated exchange refuses Mallory', async ({ page }, testInfo) => {
    const N = 6;
    const DB = 'clavis-walkthrough-diffie-hellman';
    const audit = async () => (await wtStore(page, DB, 'audit')) as Array<{ action: string; details: Record<string, unknown> }>;
    const diagram = () => page.getByRole('img', { name: /^Sequence diagram: Alice, Bob, Mallory/ });
    const messages = () => page.locator('.wt-messages li');
    await page.goto('/#/walkthroughs/diffie-hellman/0');

    // 1. Classic DH: the numbers shown obey the arithmetic.
    await atStep(page, 0, N, 'Classic Diffie–Hellman with small numbers');
    await expect(diagram()).toBeVisible();
    expect(await code(page, 'Public parameters')).toBe('p = 23, g = 5');
    const modPow = (b: number, e: number, m: number) => {
      let r = 1;
      for (let i = 0; i < e; i++) r = (r * b) % m;
      return r;
    };
    const a = Number(await code(page, 'Alice’s secret exponent a'));
    const b = Number(await code(page, 'Bob’s secret exponent b'));
    expect(await code(page, 'On the wire')).toBe(`A = ${modPow(5, a, 23)}, B = ${modPow(5, b, 23)}`);
    const shared = modPow(5, a * b, 23);
    expect(await code(page, 'Alice computes B^a mod p')).toMatch(new RegExp(` = ${shared}$`));
    expect(await code(page, 'Bob computes A^b mod p')).toMatch(new RegExp(` = ${shared}$`));
    await yes(page, 'Both computed the same secret');
    await no(page, 'The secret survives an eavesdropper');
    await expect(checkOf(page, 'The secret survives an eavesdropper')).toContainText(`the secret is ${shared}`);
    await shot(page, testInfo, 'diffie-hellman-1-classic');

    // 2. ECDH: both sides' key check values and fingerprints agree; the transcript hash is the audited one.
    await next(page);
    await atStep(page, 1, N, 'ECDH: both sides derive the same key');
    expect(await code(page, 'Curve')).toBe('X25519 (Curve25519)');
    const kcvA = await code(page, 'Alice: session key check value');
    expect(kcvA).toMatch(/^[0-9a-f]{6}$/);
    expect(await code(page, 'Bob: session key check value')).toBe(kcvA);
    expect(await code(page, 'Bob: fingerprint of both public keys')).toBe(await code(page, 'Alice: fingerprint of both public keys'));
    expect(await code(page, 'Bob: short authentication string')).toBe(await code(page, 'Alice: short authentication string'));
    await yes(page, 'Alice and Bob hold the same session key');
    await yes(page, 'The fingerprints agree on both sides');
    await yes(page, 'Bob decrypts Alice’s message');
    const alicePub = await hexOf(page, 'Alice’s ephemeral public key');
    expect(alicePub).toMatch(/^[0-9a-f]{64}$/);
    await expect(datum(page, 'Alice → Bob: hello').getByRole('row', { name: /^ephemeral public key/ })).toContainText(alicePub);
    const th = await hexOf(page, 'Transcript hash (SHA-256, as both sides see it)');
    const established = (await audit()).filter((e) => e.action === 'exchange.established');
    expect(established).toEqual([expect.objectContaining({ details: expect.objectContaining({ initiatorTranscriptHash: th, responderTranscriptHash: th, fingerprintsMatch: true }) })]);
    await shot(page, testInfo, 'diffie-hellman-2-ecdh');

    // 3. The man in the middle wins: both accept, but keys and fingerprints differ, and Mallory holds each side's key.
    await next(page);
    await atStep(page, 2, N, 'The man in the middle wins');
    const mKcvA = await code(page, 'Alice: session key check value');
    const mKcvB = await code(page, 'Bob: session key check value');
    expect(mKcvA).not.toBe(mKcvB);
    expect(await code(page, 'Mallory: key check value of the key shared with Alice')).toBe(mKcvA);
    expect(await code(page, 'Mallory: key check value of the key shared with Bob')).toBe(mKcvB);
    expect(await code(page, 'Alice: fingerprint of both public keys')).not.toBe(await code(page, 'Bob: fingerprint of both public keys'));
    expect(await code(page, 'Alice: short authentication string')).not.toBe(await code(page, 'Bob: short authentication string'));
    await no(page, 'Alice and Bob hold the same session key');
    await no(page, 'The fingerprints agree on both sides');
    await yes(page, 'Key confirmation passes on both sides');
    await no(page, 'The message stays private');
    await expect(checkOf(page, 'The message stays private')).toContainText('Mallory read “Meet me at noon by the north gate.”');
    await expect(checkOf(page, 'Bob receives what Alice sent')).toContainText('Meet me at midnight by the south gate.');
    await expect(datum(page, 'Mallory → Bob: hello (altered)').getByRole('row', { name: /^ephemeral public key/ })).toContainText('changed by Mallory');
    expect(await hexOf(page, 'Alice received as “Bob’s” public key')).not.toBe(await hexOf(page, 'Bob’s real public key'));
    await expect(messages().filter({ hasText: 'Mallory → Bob' }).first()).toBeVisible();
    expect((await audit()).filter((e) => e.action === 'exchange.established').map((e) => e.details.fingerprintsMatch)).toEqual([true, false]);
    await shot(page, testInfo, 'diffie-hellman-3-mitm');

    // 4. Authenticated: every check passes on both sides and the fingerprints agree.
    await next(page);
    await atStep(page, 3, N, 'The authenticated exchange');
    const authFpA = await code(page, 'Alice: fingerprint of both public keys');
    expect(await code(page, 'Bob: fingerprint of both public keys')).toBe(authFpA);
    expect(await code(page, 'Bob: session key check value')).toBe(await code(page, 'Alice: session key check value'));
    for (const c of await page.locator('.wt-check').all()) await expect(c).toContainText('Yes');
    for (const check of ['certificate-chain', 'certificate-revocation', 'identity', 'signature']) {
      await yes(page, `Alice checks Bob: ${check}`);
      await yes(page, `Bob checks Alice: ${check}`);
    }
    const parties = (await wtStore(page, DB, 'certs')) as Array<{ subject: string; profile: string }>;
    expect(parties.filter((c) => c.profile === 'tls-client').map((c) => c.subject).sort()).toEqual(['CN=Alice', 'CN=Bob', 'CN=Mallory']);
    await expect(datum(page, 'Alice’s certificate')).toContainText('CN=Alice');
    await shot(page, testInfo, 'diffie-hellman-4-authenticated');

    // 5. The same attack on the authenticated exchange: Alice's signature check fails, the fingerprints differ, no key is used.
    await next(page);
    await atStep(page, 4, N, 'The authenticated exchange stops Mallory');
    expect(await code(page, 'Alice: fingerprint of both public keys')).not.toBe(await code(page, 'Bob: fingerprint of both public keys'));
    await no(page, 'The fingerprints agree on both sides');
    await no(page, 'Alice accepts the exchange');
    expect(await code(page, 'Failed check')).toBe('signature (checked by Alice)');
    await yes(page, 'Alice checks Bob: certificate-chain');
    await yes(page, 'Alice checks Bob: identity');
    await no(page, 'Alice checks Bob: signature');
    await yes(page, 'No session key is used');
    await no(page, 'Second attempt: Mallory signs with her own certificate');
    await expect(checkOf(page, 'Second attempt: Mallory signs with her own certificate')).toContainText('identity check');
    await expect(messages().filter({ hasText: '— refused' })).toHaveText([/^Mallory → Alice/]);
    expect((await audit()).filter((e) => e.action === 'exchange.refused').map((e) => [e.details.failedCheck, e.details.failedAt])).toEqual([
      ['signature', 'initiator'],
      ['identity', 'initiator'],
    ]);
    await axe(page, 'diffie-hellman step 5 (refused message, field tables)');
    await shot(page, testInfo, 'diffie-hellman-5-authenticated-attack');

    // 6. Forward secrecy: the ephemeral recording stays closed, the static one opens.
    await next(page);
    await atStep(page, 5, N, 'Forward secrecy');
    await yes(page, 'The ephemeral recording stays secret');
    await no(page, 'The static recording stays secret');
    await expect(checkOf(page, 'The static recording stays secret')).toContainText('The vault code is 4711.');
    await expect(page.getByRole('link', { name: 'All walkthroughs' })).toBeVisible();
    await shot(page, testInfo, 'diffie-hellman-6-forward-secrecy');
  });
});
