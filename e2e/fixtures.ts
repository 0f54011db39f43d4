/**
 * Shared end-to-end fixtures: every page is watched for CSP/Trusted Types violations,
 * console errors, uncaught errors and any request that leaves the origin (SECURITY.md
 * H1–H4). A test that triggers one fails in its teardown.
 */
import { test as base, expect, type Page } from '@playwright/test';

export interface Watch {
  cspViolations: string[];
  consoleErrors: string[];
  pageErrors: string[];
  externalRequests: string[];
  /** Set by tests that provoke a violation on purpose; the other checks still run. */
  expectViolations: boolean;
}

declare global {
  interface Window {
    __clavisCsp?: string[];
  }
}

export const test = base.extend<{ watch: Watch }>({
  watch: [
    async ({ page, context, baseURL }, use) => {
      const watch: Watch = { cspViolations: [], consoleErrors: [], pageErrors: [], externalRequests: [], expectViolations: false };
      const origin = new URL(baseURL!).origin;
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('blob:') || url.startsWith('data:') || new URL(url).origin === origin) return route.continue();
        watch.externalRequests.push(url);
        return route.abort();
      });
      await page.addInitScript(() => {
        window.__clavisCsp = [];
        document.addEventListener('securitypolicyviolation', (e) => {
          window.__clavisCsp!.push(`${e.violatedDirective} ${e.blockedURI}`);
        });
      });
      page.on('console', (m) => {
        if (m.type() === 'error') watch.consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => watch.pageErrors.push(String(e)));
      await use(watch);
      if (!page.isClosed()) {
        const csp = await page.evaluate(() => window.__clavisCsp ?? []).catch(() => []);
        watch.cspViolations.push(...csp);
      }
      expect(watch.externalRequests, 'requests that left the origin').toEqual([]);
      expect(watch.pageErrors, 'uncaught page errors').toEqual([]);
      if (!watch.expectViolations) {
        expect(watch.cspViolations, 'CSP / Trusted Types violations').toEqual([]);
        expect(watch.consoleErrors, 'console errors').toEqual([]);
      }
    },
    { auto: true },
  ],
});

export { expect };

/**
 * The rule of src/testing/tools.ts in end-to-end tests: a test that needs a tool this
 * machine lacks is reported as skipped, never as passed (and CI, which installs every
 * tool, fails on a skip). Call it first in the test.
 */
export function needsTool(available: boolean, tool: string): void {
  test.skip(!available, `${tool} is not installed: this test did not run`);
}

/** Detectors for key material in text (SECURITY.md H4). */
export const SECRET_PATTERNS: RegExp[] = [
  /-----BEGIN (EC |RSA |ENCRYPTED )?PRIVATE KEY-----/,
  /"d"\s*:\s*"/,
  /"k"\s*:\s*"/,
  /"p"\s*:\s*"/,
  /"q"\s*:\s*"/,
  /"dp"\s*:\s*"/,
];

/** Every record in every object store of every IndexedDB database, CryptoKeys described. */
export async function dumpIndexedDb(page: Page) {
  return page.evaluate(async () => {
    const describe = (v: unknown): unknown => {
      if (v instanceof CryptoKey) return { __cryptoKey: true, type: v.type, extractable: v.extractable, algorithm: (v.algorithm as { name: string }).name, usages: v.usages };
      if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) return { __bytes: true };
      if (Array.isArray(v)) return v.map(describe);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describe(x)]));
      return v;
    };
    const out: Record<string, Record<string, unknown[]>> = {};
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const stores: Record<string, unknown[]> = {};
      out[info.name] = stores;
      for (const store of Array.from(db.objectStoreNames)) {
        const all = await new Promise<unknown[]>((res, rej) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        stores[store] = all.map(describe);
      }
      db.close();
    }
    return out;
  });
}

export interface CaOptions {
  /** The CA's name in Clavis (its link on the CA list). */
  name: string;
  /** The subject's common name. */
  cn: string;
  /** An intermediate under the first CA the form offers; a root otherwise. */
  intermediate?: boolean;
  /** The subject's country (C), when the test needs one. */
  country?: string;
  /** Ticks "Exportable CA key". */
  exportable?: boolean;
}

/**
 * Creates a CA through the "New CA" screen and waits until the CA list shows its link.
 * The one way end-to-end tests make a CA (E1).
 */
export async function createCa(page: Page, opts: CaOptions): Promise<void> {
  await page.goto('/#/ca/new');
  if (opts.intermediate) await page.getByRole('radio', { name: 'Intermediate CA' }).check();
  await page.getByRole('textbox', { name: /^Name/ }).fill(opts.name);
  await page.getByRole('textbox', { name: 'Common name (CN)' }).fill(opts.cn);
  if (opts.country !== undefined) await page.getByRole('textbox', { name: 'Country (C)' }).fill(opts.country);
  if (opts.exportable) await page.getByRole('checkbox', { name: 'Exportable CA key' }).check();
  await page.getByRole('button', { name: opts.intermediate ? 'Create intermediate CA' : 'Create root CA' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Certificate authorities' })).toBeVisible();
  await expect(page.getByRole('link', { name: opts.name, exact: true })).toBeVisible();
}
