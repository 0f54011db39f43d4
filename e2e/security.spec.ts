// G1/H1–H7: Clavis is served with a strict policy, makes no request off its origin,
// and runs no injected script.
import { expect, test } from './fixtures';
import { CSP } from '../scripts/security-headers.mjs';

test('H1/H7 the app is served with a strict CSP, Trusted Types and the hardening headers', async ({ page }) => {
  const response = await page.goto('/');
  const h = response!.headers();
  expect(h['content-security-policy']).toBe(CSP);
  expect(h['content-security-policy']).toContain("script-src 'self'");
  expect(h['content-security-policy']).not.toContain('unsafe-');
  expect(h['content-security-policy']).toContain("require-trusted-types-for 'script'");
  expect(h['referrer-policy']).toBe('no-referrer');
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['cross-origin-opener-policy']).toBe('same-origin');
  expect(h['cross-origin-resource-policy']).toBe('same-origin');
  expect(h['permissions-policy']).toContain('camera=()');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
});

test('H1/H2 an injected inline script and string-to-code never run', async ({ page, watch }) => {
  await page.goto('/');
  // An inline <script> (what an XSS would add) is refused before it can run.
  await expect(page.addScriptTag({ content: 'window.__inline = 1' })).rejects.toThrow(/TrustedScript/);
  expect(await page.evaluate(() => (window as { __inline?: number }).__inline)).toBeUndefined();
  // String-to-code through a timer is refused too.
  const timer = await page.evaluate(async () => {
    try {
      setTimeout('window.__timer = 1' as unknown as TimerHandler);
    } catch (e) {
      return (e as Error).name;
    }
    // Timers with the same delay fire in order: once this one has fired, the string timer
    // has had its turn (no sleep that depends on the machine's speed).
    await new Promise((r) => setTimeout(r, 0));
    return String((window as { __timer?: number }).__timer);
  });
  expect(timer).toBe('TypeError');
  watch.expectViolations = true;
});

test('H2 Trusted Types are enforced: an HTML sink refuses a plain string', async ({ page, watch }) => {
  await page.goto('/');
  const result = await page.evaluate(() => {
    try {
      document.createElement('div').innerHTML = '<img src=x onerror="window.__pwned=1">';
      return 'assigned';
    } catch (e) {
      return (e as Error).name;
    }
  });
  expect(result).toBe('TypeError');
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  watch.expectViolations = true;
});

test('H3 a stray request off the origin is refused by the policy', async ({ page, watch }) => {
  await page.goto('/');
  const blocked = await page.evaluate(async () => {
    try {
      await fetch('https://example.invalid/');
      return 'fetched';
    } catch (e) {
      return (e as Error).name;
    }
  });
  expect(blocked).toBe('TypeError');
  expect(await page.evaluate(() => window.__clavisCsp)).toEqual([expect.stringContaining('connect-src')]);
  // The policy stopped it before the network: nothing reached the route guard.
  expect(watch.externalRequests).toEqual([]);
  watch.expectViolations = true;
});
